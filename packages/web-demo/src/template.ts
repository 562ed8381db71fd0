// The demo's markup (inside the element's shadow root). Elements the code
// uses carry data-ref; cards carry data-section (for `sections`).
const digitButtons = Array.from({ length: 10 }, (_, d) => `<button class="digit" data-digit="${d}" title="a new take of ${d}">${d}</button>`).join('');
const digitOptions = Array.from({ length: 10 }, (_, d) => `<option value="${d}">${d}</option>`).join('');

export const TEMPLATE = /* html */ `
<div class="app">
  <header>
    <div class="title">
      <h1>spec<span>vae</span></h1>
      <p>Spoken digits from a spectrogram VAE, computed in your browser.</p>
    </div>
    <div class="model">
      <label>Model <select data-ref="model-select">
        <option value="built-in">built-in</option>
        <option value="trained" disabled>trained here</option>
      </select></label>
      <span class="meta" data-ref="model-info">loading…</span>
    </div>
  </header>
  <main class="grid">
    <section class="card" data-section="generate">
      <h2>Generate</h2>
      <p class="hint">Pick a digit to hear a new take of it, or draw a random one.</p>
      <div class="digits" data-ref="digits">${digitButtons}</div>
      <div class="row">
        <button class="primary" data-ref="random">Random digit</button>
        <label class="slider">Griffin-Lim iterations
          <input type="range" min="0" max="128" step="1" value="32" data-ref="gen-iter"><output data-ref="gen-iter-out">32</output></label>
      </div>
      <p class="hint small">Each take: a latent z drawn from the digit's Gaussian in the latent space (fitted to the
        training recordings; N(0, I) for models without one) and the digit go through the decoder (a spectrogram), then
        Griffin-Lim finds a phase for it. The circle on the explorer shows where z lies.</p>
      <div class="history-wrap" data-ref="history-wrap" hidden>
        <h3>Recent takes <span class="meta">(click to hear and see again)</span></h3>
        <div class="history" data-ref="history"></div>
      </div>
    </section>
    <section class="card output" data-section="generate explore">
      <div class="card-head">
        <h2 data-ref="out-title">Output</h2>
        <div class="row tight">
          <button data-ref="out-play" disabled>Play</button>
          <a class="button disabled" data-ref="out-download" download="specvae.wav">Download WAV</a>
        </div>
      </div>
      <p class="meta" data-ref="out-meta">Nothing generated yet.</p>
      <canvas class="wave" data-ref="out-wave"></canvas>
      <canvas class="spec" data-ref="out-spec"></canvas>
    </section>
    <section class="card" data-section="explore">
      <div class="card-head">
        <h2>Latent explorer</h2>
        <div class="row tight">
          <span class="seg"><button class="on" data-ref="by-digit">digit</button><button data-ref="by-speaker">speaker</button></span>
          <label data-ref="say-as-wrap">say as <select data-ref="say-as">${digitOptions}</select></label>
        </div>
      </div>
      <p class="hint" data-ref="explore-hint">Loading the latent plane…</p>
      <div class="scatter-wrap">
        <canvas class="scatter" data-ref="scatter"></canvas>
        <div class="tip" data-ref="tip" hidden></div>
      </div>
      <div class="legend" data-ref="legend"></div>
    </section>
    <section class="card" data-section="explore">
      <h2>Morph</h2>
      <p class="hint">Slide from one digit (its class mean) or recording to another: the latent and the digit condition move together.</p>
      <div class="row">
        <label>from <select data-ref="morph-a"></select></label>
        <label>to <select data-ref="morph-b"></select></label>
      </div>
      <input class="wide" type="range" min="0" max="100" step="1" value="0" data-ref="morph-t" aria-label="morph position">
      <div class="row between"><span class="meta" data-ref="morph-label">0 %</span><button data-ref="morph-play">Play</button></div>
      <canvas class="spec" data-ref="morph-spec"></canvas>
    </section>
    <section class="card span2" data-section="reconstruct" data-ref="drop">
      <div class="card-head">
        <h2>Your recording</h2>
        <div class="row tight">
          <label class="button"><input type="file" accept=".wav,audio/*" data-ref="recon-file" hidden>Choose a file…</label>
          <button data-ref="record">Record 2 s</button>
        </div>
      </div>
      <p class="hint">Drop a WAV file anywhere on this card, choose one, or record yourself saying a digit. The model encodes it,
        decodes it again, and Griffin-Lim turns the spectrogram back into sound.</p>
      <div class="row">
        <label>digit <select data-ref="recon-digit"><option value="auto">auto (from the name, or the model's guess)</option>${digitOptions}</select></label>
        <label class="slider">Griffin-Lim iterations
          <input type="range" min="0" max="200" step="1" value="32" data-ref="recon-iter"><output data-ref="recon-iter-out">32</output></label>
      </div>
      <div class="pair">
        <figure>
          <figcaption><span>Original</span> <button data-ref="orig-play" disabled>Play</button></figcaption>
          <canvas class="wave" data-ref="orig-wave"></canvas>
          <canvas class="spec" data-ref="orig-spec"></canvas>
        </figure>
        <figure>
          <figcaption><span>Reconstruction</span> <button data-ref="recon-play" disabled>Play</button>
            <a class="button disabled" data-ref="recon-download" download="reconstruction.wav">Download WAV</a></figcaption>
          <canvas class="wave" data-ref="recon-wave"></canvas>
          <canvas class="spec" data-ref="recon-spec"></canvas>
        </figure>
      </div>
      <p class="meta" data-ref="recon-meta">No recording yet.</p>
    </section>
    <section class="card span2" data-section="train">
      <h2>Train in your browser</h2>
      <p class="hint">Select WAV files, for example the FSDD recordings: names like <code>7_jackson_32.wav</code> give the
        digit and make the model conditional. A small model trains in a worker with a live loss curve; stop whenever you like,
        and the explorer, the generator and the reconstruction use it.</p>
      <div class="row">
        <label class="button"><input type="file" multiple accept=".wav,audio/wav,audio/x-wav" data-ref="train-files" hidden>Choose WAV files…</label>
        <label class="button"><input type="file" webkitdirectory data-ref="train-folder" hidden>…or a folder</label>
        <span class="meta" data-ref="train-count">No files selected.</span>
      </div>
      <div class="row">
        <label>epochs <input type="number" min="1" max="200" step="1" value="3" data-ref="train-epochs"></label>
        <label>batch <input type="number" min="1" max="256" step="1" value="16" data-ref="train-batch"></label>
        <label>learning rate <input type="number" min="0.00001" max="0.1" step="0.0001" value="0.0005" data-ref="train-lr"></label>
        <button class="primary" data-ref="train-start" disabled>Train</button>
        <button data-ref="train-stop" disabled>Stop and use it</button>
      </div>
      <p class="meta" data-ref="train-meta"></p>
      <canvas class="loss" data-ref="loss"></canvas>
    </section>
  </main>
  <footer class="status" data-ref="status">
    <span data-ref="st-backend">starting…</span>
    <span data-ref="st-model"></span>
    <span data-ref="st-time"></span>
    <button class="link" data-ref="bench" title="time 10 generations (decode + Griffin-Lim)">benchmark</button>
    <span class="msg" data-ref="st-msg"></span>
  </footer>
</div>`;
