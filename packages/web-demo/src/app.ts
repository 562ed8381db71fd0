// The demo's page logic: builds the UI in a root (the element's shadow
// root), talks to the workers, draws, plays. Nothing heavy runs here: tfjs
// and the DSP live in the workers (see worker.ts).
import { encodeWav } from '@specvae/dsp-wasm';
import { Latest, startWorker, type WorkerClient } from './client.js';
import { DIGIT_COLORS, SPEAKER_COLORS } from './ui/colors.js';
import { Scatter, drawEmpty, drawLossCurve, drawSpectrogram, drawWaveform, type LossPoint } from './ui/plots.js';
import type {
  BackendStatus, Endpoint, EventMessage, Generated, ModelInfo, ReadyInfo, Reconstruction, Rendered, Timings, TrainOutcome,
} from './protocol.js';
import { TEMPLATE } from './template.js';
import { BUILT_IN_EXTRAS, defaultModelUrl, tfjsWasmUrl } from './urls.js';
import styles from './styles.css?inline';

export type Section = 'generate' | 'explore' | 'reconstruct' | 'train';
export const SECTIONS: readonly Section[] = ['generate', 'explore', 'reconstruct', 'train'];

export interface DemoOptions {
  /** The model folder (specvae.json, encoder/, decoder/, demo-extras.json). Default: the build's `model/`. */
  modelUrl?: string;
  /**
   * The model's demo-extras.json (the latent explorer's plane), or null for
   * none. Default: `demo-extras.json` in the model folder (for the build's own
   * model: only when the build has one).
   */
  extrasUrl?: string | null;
  /** Where tfjs-backend-wasm's .wasm files are. Default: the build's `tfjs-wasm/`. */
  wasmUrl?: string;
  /** Which cards to show (default: all). */
  sections?: readonly Section[];
}

export interface BenchmarkResult {
  runs: number;
  /** Median time of one generation in the worker (decode + Griffin-Lim, ms). */
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Median decode and Griffin-Lim times (ms). */
  decodeMs: number;
  griffinLimMs: number;
  /** Median round trip page -> worker -> page (ms). */
  roundTripMs: number;
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (v: number): string => `${v < 10 ? v.toFixed(1) : Math.round(v)} ms`;
const randomSeed = (): number => Math.floor(Math.random() * 0x7fffffff);
const FSDD_NAME = /^([0-9])_([A-Za-z0-9-]+)_([0-9]{1,6})\.wav$/i;

export class DemoApp {
  readonly ready: Promise<ReadyInfo>;
  /** The last results (for scripts and tests). */
  readonly last: { generated: Generated | null; reconstruction: Reconstruction | null; trainOutcome: Omit<TrainOutcome, 'bundle'> | null } = {
    generated: null, reconstruction: null, trainOutcome: null,
  };
  readonly lossPoints: LossPoint[] = [];

  private readonly root: ShadowRoot | HTMLElement;
  private readonly inference: WorkerClient;
  private trainer: WorkerClient | null = null;
  private audioCtx: AudioContext | null = null;
  private source: AudioBufferSourceNode | null = null;
  private model: ModelInfo | null = null;
  private backend: BackendStatus | null = null;
  private dspSimd = false;
  private readonly scatter: Scatter;
  private readonly redraw = new Map<HTMLCanvasElement, () => void>();
  private readonly resize: ResizeObserver;
  private readonly urls: { revoke: string[] } = { revoke: [] };
  private outSound: Rendered | null = null;
  private reconInput: { name: string; bytes?: ArrayBuffer; samples?: Float32Array; sampleRate?: number } | null = null;
  private readonly epochEnds: number[] = [];
  private trainFiles: File[] = [];
  private readonly morphQueue: Latest<Generated>;
  /** The last takes of the generator (newest first), to hear and see again. */
  private readonly takes: { g: Generated; title: string; meta: string; file: string }[] = [];
  private busy = 0;

  constructor(root: ShadowRoot | HTMLElement, private readonly options: DemoOptions = {}) {
    this.root = root;
    const style = document.createElement('style');
    style.textContent = styles;
    root.append(style);
    const holder = document.createElement('div');
    holder.innerHTML = TEMPLATE;
    root.append(...holder.childNodes);
    const sections = options.sections ?? SECTIONS;
    for (const card of root.querySelectorAll<HTMLElement>('[data-section]')) {
      card.hidden = !card.dataset['section']!.split(' ').some((s) => sections.includes(s as Section));
    }
    this.scatter = new Scatter(this.ref<HTMLCanvasElement>('scatter'));
    this.morphQueue = new Latest<Generated>((g) => this.showMorph(g), (e) => this.error(e));
    this.inference = startWorker();
    this.wire();
    this.placeholders();
    this.resize = new ResizeObserver(() => {
      for (const f of this.redraw.values()) f();
    });
    this.resize.observe(this.ref('status').parentElement!);
    this.ready = this.start();
    this.ready.catch((e: unknown) => this.error(e));
  }

  /** An element of the template (an input unless told otherwise). */
  private ref<T extends HTMLElement = HTMLInputElement>(name: string): T {
    const el = this.root.querySelector<HTMLElement>(`[data-ref="${name}"]`);
    if (!el) throw new Error(`demo template: no element ${name}`);
    return el as T;
  }

  private draw(canvas: HTMLCanvasElement, f: () => void): void {
    this.redraw.set(canvas, f);
    f();
  }

  private placeholders(): void {
    for (const [name, text] of [
      ['out-wave', 'pick a digit'], ['out-spec', 'its spectrogram appears here'], ['scatter', 'loading…'], ['morph-spec', 'move the slider'],
      ['orig-wave', 'drop a WAV file'], ['orig-spec', ''], ['recon-wave', ''], ['recon-spec', ''],
    ] as const) {
      const c = this.ref<HTMLCanvasElement>(name);
      this.draw(c, () => drawEmpty(c, text));
    }
    const loss = this.ref<HTMLCanvasElement>('loss');
    this.draw(loss, () => drawLossCurve(loss, this.lossPoints, this.epochEnds));
  }

  // ---------------------------------------------------------------------------
  // Start-up and status

  private async start(): Promise<ReadyInfo> {
    this.message('loading the model…');
    const modelUrl = this.options.modelUrl ?? defaultModelUrl();
    const extrasUrl = this.options.extrasUrl !== undefined ? this.options.extrasUrl
      : this.options.modelUrl !== undefined || BUILT_IN_EXTRAS ? new URL('demo-extras.json', modelUrl).href : null;
    const info = await this.inference.call('init', { role: 'inference', modelUrl, extrasUrl, wasmPaths: this.options.wasmUrl ?? tfjsWasmUrl() });
    this.backend = info.backend;
    this.dspSimd = info.dspSimd;
    if (info.model) this.setModel(info.model);
    this.renderStatus();
    this.message('ready');
    return info;
  }

  private renderStatus(timings?: Timings, roundTrip?: number): void {
    const b = this.backend;
    if (b) {
      this.ref('st-backend').innerHTML = `tfjs <b>${b.backend}</b> · SIMD <b>${b.simd ? 'on' : 'off'}</b> · ${b.threads} thread${b.threads === 1 ? '' : 's'}`
        + ` (${b.build} build) · DSP <b>dsp-wasm ${this.dspSimd ? 'SIMD' : 'scalar'}</b>`;
    }
    if (this.model) {
      this.ref('st-model').innerHTML = `model <b>${this.model.label}</b> (${this.model.kind}, ${Math.round(this.model.parameters / 1000)}k parameters)`;
    }
    if (timings) {
      this.ref('st-time').innerHTML = `last generation <b>${ms(timings.totalMs)}</b> (decode ${ms(timings.decodeMs)} + Griffin-Lim ${ms(timings.griffinLimMs)})`
        + (roundTrip !== undefined ? ` · ${ms(roundTrip)} round trip` : '');
    }
  }

  private message(text: string, error = false): void {
    const el = this.ref('st-msg');
    el.textContent = text;
    el.classList.toggle('error', error);
  }

  private error(e: unknown): void {
    this.message(e instanceof Error ? e.message : String(e), true);
  }

  private setModel(m: ModelInfo): void {
    this.model = m;
    const t = m.training;
    const files = t ? t['files'] ?? t['clips'] : undefined;
    const facts = t ? [t['epochs'] !== undefined ? `${String(t['epochs'])} epochs` : '', files !== undefined ? `${String(files)} files` : '',
      t['provisional'] ? 'provisional' : ''].filter(Boolean).join(', ') : '';
    this.ref('model-info').textContent = `${m.kind === 'cvae' ? 'conditional VAE' : m.kind === 'gmvae' ? 'mixture VAE' : 'VAE'} · `
      + `${m.latentDim}-d latent · ${m.nBins} × ${m.nFrames} at ${m.sampleRate / 1000} kHz${facts ? ` · ${facts}` : ''}`;
    this.ref('say-as-wrap').hidden = m.kind !== 'cvae';
    const ex = m.extras;
    if (ex) {
      this.scatter.setPoints(ex.points.map((p) => ({ x: p.x, y: p.y, digit: p.digit, speaker: p.speaker, file: p.file })), ex.pca.explained);
      this.ref('explore-hint').textContent = `Each dot is a recording (${ex.source}): its latent mean, projected on the first two principal components. `
        + `Click a dot to hear its latent, or anywhere else to hear that point${m.kind === 'cvae' ? ' said as the digit on the right' : ''}.`;
    } else {
      this.scatter.setPoints([], [0, 0]);
      this.ref('explore-hint').textContent = 'This model came without a latent plane.';
    }
    this.drawScatter();
    this.renderLegend();
    this.fillMorphOptions();
    this.renderStatus();
  }

  // ---------------------------------------------------------------------------
  // Audio

  private play(r: Rendered): void {
    try {
      this.audioCtx ??= new AudioContext();
      void this.audioCtx.resume();
      this.source?.stop();
      const buf = this.audioCtx.createBuffer(1, r.audio.length, r.sampleRate);
      buf.copyToChannel(r.audio as Float32Array<ArrayBuffer>, 0);
      const src = this.audioCtx.createBufferSource();
      src.buffer = buf;
      src.connect(this.audioCtx.destination);
      src.start();
      this.source = src;
    } catch (e) {
      this.message(`cannot play audio here (${e instanceof Error ? e.message : String(e)})`, true);
    }
  }

  private wavLink(a: HTMLAnchorElement, r: Rendered, name: string): void {
    const url = URL.createObjectURL(new Blob([encodeWav(r.audio, r.sampleRate) as Uint8Array<ArrayBuffer>], { type: 'audio/wav' }));
    this.urls.revoke.push(url);
    if (this.urls.revoke.length > 8) URL.revokeObjectURL(this.urls.revoke.shift()!);
    a.href = url;
    a.download = name;
    a.classList.remove('disabled');
  }

  // ---------------------------------------------------------------------------
  // Generation and the output card

  private async run<T>(task: () => Promise<T>, what: string): Promise<T> {
    this.busy++;
    this.message(`${what}…`);
    try {
      const r = await task();
      this.message('');
      return r;
    } catch (e) {
      this.error(e);
      throw e;
    } finally {
      this.busy--;
    }
  }

  /** A new take of `digit` (null: a random digit), shown and (by default) played. */
  async generate(opts: { digit?: number | null; seed?: number; nIter?: number; z?: Float32Array; play?: boolean } = {}): Promise<Generated> {
    await this.ready;
    const seed = opts.seed ?? randomSeed();
    const nIter = opts.nIter ?? Number(this.ref('gen-iter').value);
    const t0 = performance.now();
    const g = await this.run(() => this.inference.call('generate', {
      digit: opts.digit ?? null, seed, nIter, ...(opts.z ? { z: opts.z } : {}),
    }), 'generating');
    const roundTrip = performance.now() - t0;
    const what = g.digit === null ? 'Random take' : `Digit ${g.digit}`;
    const take = {
      g, title: what, meta: `seed ${seed} · ${g.zFrom ?? 'given z'} · ${g.nIter} Griffin-Lim iterations · spectral convergence ${g.convergence.toFixed(3)}`,
      file: `specvae-${g.digit ?? 'x'}-seed${seed}.wav`,
    };
    this.showOutput(g, take.title, take.meta, take.file, opts.play ?? true);
    this.remember(take);
    this.renderStatus(g.timings, roundTrip);
    for (const b of this.root.querySelectorAll<HTMLButtonElement>('.digit')) b.classList.toggle('on', Number(b.dataset['digit']) === g.digit);
    if (g.digit !== null) this.ref<HTMLSelectElement>('say-as').value = String(g.digit);
    return g;
  }

  private remember(take: { g: Generated; title: string; meta: string; file: string }): void {
    this.takes.unshift(take);
    this.takes.length = Math.min(this.takes.length, 12);
    const list = this.ref('history');
    list.textContent = '';
    for (const t of this.takes) {
      const b = document.createElement('button');
      const digit = document.createElement('b');
      digit.textContent = t.g.digit === null ? '?' : String(t.g.digit);
      b.append(digit, `seed ${t.g.seed}`);
      b.title = `${t.title}: ${t.meta} (${this.model?.label ?? ''} model)`;
      b.addEventListener('click', () => this.showOutput(t.g, t.title, t.meta, t.file, true));
      list.append(b);
    }
    this.ref('history-wrap').hidden = false;
  }

  private showOutput(g: Generated, title: string, meta: string, file: string, play: boolean, marker: 'generated' | 'clicked' = 'generated'): void {
    this.last.generated = g;
    this.outSound = g;
    this.ref('out-title').textContent = title;
    this.ref('out-meta').textContent = meta;
    this.ref('out-play').disabled = false;
    this.wavLink(this.ref<HTMLAnchorElement>('out-download'), g, file);
    const wave = this.ref<HTMLCanvasElement>('out-wave'), spec = this.ref<HTMLCanvasElement>('out-spec');
    this.draw(wave, () => drawWaveform(wave, g.audio, g.sampleRate));
    this.draw(spec, () => drawSpectrogram(spec, g.spectrogram, g.nBins, g.nFrames, g.sampleRate, this.model?.hop ?? 128, this.model?.nFft ?? 256));
    if (g.plane) {
      this.scatter.markers = this.scatter.markers.filter((m) => m.kind === 'recording');
      if (marker === 'generated') this.scatter.markers.push({ x: g.plane[0], y: g.plane[1], kind: 'generated' });
      this.drawScatter();
    }
    if (play) this.play(g);
  }

  /** Times `runs` generations (after one warm-up): decode + Griffin-Lim (32 iterations) in the worker, and the round trip. */
  async benchmark(runs = 10): Promise<BenchmarkResult> {
    await this.ready;
    await this.inference.call('generate', { digit: 0, seed: 1, nIter: 32 });
    const total: number[] = [], dec: number[] = [], gl: number[] = [], rt: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const g = await this.inference.call('generate', { digit: i % 10, seed: 1000 + i, nIter: 32 });
      rt.push(performance.now() - t0);
      total.push(g.timings.decodeMs + g.timings.griffinLimMs);
      dec.push(g.timings.decodeMs);
      gl.push(g.timings.griffinLimMs);
    }
    const r: BenchmarkResult = {
      runs, medianMs: median(total), minMs: Math.min(...total), maxMs: Math.max(...total), decodeMs: median(dec), griffinLimMs: median(gl), roundTripMs: median(rt),
    };
    this.message(`benchmark: one digit (decode + 32 Griffin-Lim iterations) takes ${ms(r.medianMs)} (median of ${runs}; `
      + `decode ${ms(r.decodeMs)}, Griffin-Lim ${ms(r.griffinLimMs)}; ${ms(r.roundTripMs)} round trip)`);
    return r;
  }

  // ---------------------------------------------------------------------------
  // Explorer and morph

  private drawScatter(): void {
    const c = this.scatter.canvas;
    this.draw(c, () => (this.scatter.points.length ? this.scatter.draw() : drawEmpty(c, this.model ? 'no latent plane for this model' : 'loading…')));
  }

  private renderLegend(): void {
    const el = this.ref('legend');
    el.textContent = '';
    const entries: [string, string][] = this.scatter.colorBy === 'digit'
      ? DIGIT_COLORS.slice(0, 10).map((c, d) => [String(d), c])
      : this.scatter.speakers().map((s, i) => [s, SPEAKER_COLORS[i % SPEAKER_COLORS.length]!]);
    if (!this.scatter.points.length) return;
    for (const [name, color] of entries) {
      const span = document.createElement('span');
      const dot = document.createElement('i');
      dot.style.background = color;
      span.append(dot, name);
      el.append(span);
    }
    const mk = document.createElement('span');
    mk.textContent = '○ last take · ★ your recording';
    el.append(mk);
  }

  private async explorerClick(ev: MouseEvent): Promise<void> {
    const c = this.scatter.canvas;
    const rect = c.getBoundingClientRect();
    const px = ev.clientX - rect.left, py = ev.clientY - rect.top;
    if (!this.scatter.points.length || !this.scatter.inside(px, py)) return;
    const hit = this.scatter.hit(px, py);
    const seed = randomSeed() % 100000;
    const nIter = Number(this.ref('gen-iter').value);
    if (hit !== null) {
      const p = this.scatter.points[hit]!;
      const g = await this.run(() => this.inference.call('decodeRecording', { index: hit, seed, nIter }), 'decoding');
      this.showOutput(g, `Latent of ${p.file}`, `its posterior mean${p.digit !== null ? `, digit ${p.digit}` : ''} · seed ${seed} · ${g.nIter} Griffin-Lim iterations`,
        `specvae-${p.file.replace(/\.wav$/i, '')}-latent.wav`, true, 'clicked');
      this.scatter.markers.push({ x: p.x, y: p.y, kind: 'clicked' });
      this.renderStatus(g.timings);
    } else {
      const [x, y] = this.scatter.toPlane(px, py);
      const digit = Number(this.ref<HTMLSelectElement>('say-as').value);
      const g = await this.run(() => this.inference.call('decodePoint', { x, y, digit, seed, nIter }), 'decoding');
      this.showOutput(g, `Point (${x.toFixed(2)}, ${y.toFixed(2)})`,
        `${this.model?.kind === 'cvae' ? `said as ${digit} · ` : ''}latent = mean + ${x.toFixed(2)} PC1 + ${y.toFixed(2)} PC2 · seed ${seed}`,
        `specvae-point-${x.toFixed(2)}_${y.toFixed(2)}.wav`, true, 'clicked');
      this.scatter.markers.push({ x, y, kind: 'clicked' });
      this.renderStatus(g.timings);
    }
    this.drawScatter();
  }

  /** Viewport coordinates of explorer dot `index` (for scripted tours and tests), or null. */
  pointOnScreen(index: number): { x: number; y: number } | null {
    const p = this.scatter.points[index];
    if (!p) return null;
    const [x, y] = this.scatter.toPixel(p.x, p.y);
    const rect = this.scatter.canvas.getBoundingClientRect();
    return { x: rect.left + x, y: rect.top + y };
  }

  private explorerHover(ev: MouseEvent): void {
    const c = this.scatter.canvas;
    const rect = c.getBoundingClientRect();
    const px = ev.clientX - rect.left, py = ev.clientY - rect.top;
    const hit = this.scatter.hit(px, py);
    const tip = this.ref('tip');
    if (hit !== this.scatter.hover) {
      this.scatter.hover = hit;
      this.scatter.draw();
    }
    if (hit === null) {
      tip.hidden = true;
      return;
    }
    const p = this.scatter.points[hit]!;
    tip.textContent = `${p.file}${p.digit !== null ? ` · digit ${p.digit}` : ''}${p.speaker ? ` · ${p.speaker}` : ''} · (${p.x.toFixed(2)}, ${p.y.toFixed(2)})`;
    tip.style.left = `${px}px`;
    tip.style.top = `${py}px`;
    tip.hidden = false;
  }

  private fillMorphOptions(): void {
    const a = this.ref<HTMLSelectElement>('morph-a'), b = this.ref<HTMLSelectElement>('morph-b');
    for (const sel of [a, b]) {
      const keep = sel.value;
      sel.textContent = '';
      const digits = document.createElement('optgroup');
      digits.label = this.model?.kind === 'cvae' ? 'digits (class mean + condition)' : 'digits (class mean)';
      for (let d = 0; d < 10; d++) digits.append(new Option(`digit ${d}`, `d:${d}`));
      sel.append(digits);
      const yours = new Option('your recording', 'r');
      yours.disabled = !this.last.reconstruction;
      sel.append(yours);
      const pts = this.model?.extras?.points ?? [];
      if (pts.length) {
        const g = document.createElement('optgroup');
        g.label = 'recordings';
        const seen = new Set<string>();
        pts.forEach((p, i) => {
          const key = `${p.digit}-${p.speaker}`;
          if (seen.has(key) || seen.size >= 60) return;
          seen.add(key);
          g.append(new Option(p.file, `p:${i}`));
        });
        sel.append(g);
      }
      if ([...sel.options].some((o) => o.value === keep && !o.disabled)) sel.value = keep;
    }
    if (!a.value || a.value === b.value) {
      a.value = 'd:1';
      b.value = 'd:7';
    }
  }

  private endpoint(v: string): Endpoint {
    if (v.startsWith('d:')) return { kind: 'digit', digit: Number(v.slice(2)) };
    if (v.startsWith('p:')) return { kind: 'point', index: Number(v.slice(2)) };
    return { kind: 'recording' };
  }

  private morphLabel(v: string): string {
    if (v.startsWith('d:')) return `digit ${v.slice(2)}`;
    if (v.startsWith('p:')) return this.model?.extras?.points[Number(v.slice(2))]?.file ?? v;
    return 'your recording';
  }

  private morphAt(play: boolean): void {
    const av = this.ref<HTMLSelectElement>('morph-a').value, bv = this.ref<HTMLSelectElement>('morph-b').value;
    const t = Number(this.ref('morph-t').value) / 100;
    this.ref('morph-label').textContent = `${Math.round((1 - t) * 100)} % ${this.morphLabel(av)} · ${Math.round(t * 100)} % ${this.morphLabel(bv)}`;
    const nIter = Number(this.ref('gen-iter').value);
    this.morphPlay = play;
    this.morphQueue.push(() => this.inference.call('morph', { a: this.endpoint(av), b: this.endpoint(bv), t, seed: 1, nIter }));
  }

  private morphPlay = false;

  private showMorph(g: Generated): void {
    const spec = this.ref<HTMLCanvasElement>('morph-spec');
    this.draw(spec, () => drawSpectrogram(spec, g.spectrogram, g.nBins, g.nFrames, g.sampleRate, this.model?.hop ?? 128, this.model?.nFft ?? 256));
    const label = this.ref('morph-label').textContent ?? '';
    this.showOutput(g, 'Morph', label, 'specvae-morph.wav', this.morphPlay);
    this.morphPlay = false;
    this.renderStatus(g.timings);
  }

  // ---------------------------------------------------------------------------
  // Reconstruction

  private async reconstructInput(): Promise<Reconstruction | null> {
    const input = this.reconInput;
    if (!input) return null;
    const dv = this.ref<HTMLSelectElement>('recon-digit').value;
    const named = FSDD_NAME.exec(input.name);
    const digit = dv !== 'auto' ? Number(dv) : named ? Number(named[1]) : null;
    const nIter = Number(this.ref('recon-iter').value);
    const r = await this.run(() => this.inference.call('reconstruct', {
      name: input.name, digit, nIter, seed: 1,
      ...(input.bytes ? { bytes: input.bytes.slice(0) } : { samples: input.samples!.slice(), sampleRate: input.sampleRate! }),
    }), `reconstructing ${input.name}`);
    this.showReconstruction(r, digit === null ? 'guessed' : dv === 'auto' ? 'from the file name' : 'chosen');
    return r;
  }

  /** Reconstructs a WAV file (or any audio the browser can decode). */
  async reconstructFile(file: { name: string; arrayBuffer(): Promise<ArrayBuffer> }): Promise<Reconstruction | null> {
    await this.ready;
    const bytes = await file.arrayBuffer();
    const head = new TextDecoder().decode(new Uint8Array(bytes, 0, Math.min(4, bytes.byteLength)));
    if (head === 'RIFF' || head === 'RIFX' || head === 'RF64') {
      this.reconInput = { name: file.name, bytes };
    } else {
      const ctx = new OfflineAudioContext(1, 1, 44100);
      const audio = await ctx.decodeAudioData(bytes.slice(0));
      this.reconInput = { name: file.name, samples: mixDown(audio), sampleRate: audio.sampleRate };
    }
    return this.reconstructInput();
  }

  private showReconstruction(r: Reconstruction, how: string): void {
    this.last.reconstruction = r;
    const hop = this.model?.hop ?? 128, nFft = this.model?.nFft ?? 256;
    for (const [prefix, s, color] of [['orig', r.original, '#9fb4d8'], ['recon', r.reconstruction, undefined]] as const) {
      const wave = this.ref<HTMLCanvasElement>(`${prefix}-wave`), spec = this.ref<HTMLCanvasElement>(`${prefix}-spec`);
      this.draw(wave, () => drawWaveform(wave, s.audio, s.sampleRate, color));
      this.draw(spec, () => drawSpectrogram(spec, s.spectrogram, s.nBins, s.nFrames, s.sampleRate, hop, nFft));
    }
    this.ref('orig-play').disabled = false;
    this.ref('recon-play').disabled = false;
    this.wavLink(this.ref<HTMLAnchorElement>('recon-download'), r.reconstruction, `${r.name.replace(/\.[^.]*$/, '')}-reconstruction.wav`);
    const guess = r.digitErrors ? ` (errors per condition: ${r.digitErrors.map((e, d) => `${d}: ${e.toFixed(4)}`).join(', ')})` : '';
    this.ref('recon-meta').textContent = `${r.name}: ${r.digit !== null ? `digit ${r.digit}, ${how}` : 'unconditional model'} · feature MSE ${r.mse.toFixed(4)} · `
      + `Griffin-Lim spectral convergence ${r.reconstruction.convergence.toFixed(3)} · encode + decode ${ms(r.timings.decodeMs)}, `
      + `Griffin-Lim ${ms(r.timings.griffinLimMs)}${guess}`;
    this.scatter.markers = this.scatter.markers.filter((m) => m.kind !== 'recording');
    if (r.plane) this.scatter.markers.push({ x: r.plane[0], y: r.plane[1], kind: 'recording' });
    this.drawScatter();
    this.fillMorphOptions();
  }

  private async record(): Promise<void> {
    const button = this.ref<HTMLButtonElement>('record');
    if (!navigator.mediaDevices?.getUserMedia) throw new Error('this browser gives no microphone access here (it needs https or localhost)');
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false } });
    const rec = new MediaRecorder(stream);
    const chunks: Blob[] = [];
    rec.ondataavailable = (e) => chunks.push(e.data);
    const stopped = new Promise<void>((resolve) => (rec.onstop = () => resolve()));
    button.disabled = true;
    button.textContent = 'Recording…';
    rec.start();
    await new Promise((r) => setTimeout(r, 2200));
    rec.stop();
    await stopped;
    for (const t of stream.getTracks()) t.stop();
    button.disabled = false;
    button.textContent = 'Record 2 s';
    const bytes = await new Blob(chunks, { type: rec.mimeType }).arrayBuffer();
    const audio = await new OfflineAudioContext(1, 1, 44100).decodeAudioData(bytes);
    this.reconInput = { name: 'your recording', samples: mixDown(audio), sampleRate: audio.sampleRate };
    await this.reconstructInput();
  }

  // ---------------------------------------------------------------------------
  // Training

  private setTrainFiles(list: FileList | null): void {
    this.trainFiles = [...(list ?? [])].filter((f) => /\.wav$/i.test(f.name));
    const named = this.trainFiles.filter((f) => FSDD_NAME.test(f.name)).length;
    this.ref('train-count').textContent = this.trainFiles.length === 0 ? 'No WAV files selected.'
      : `${this.trainFiles.length.toLocaleString('en')} WAV files, ${named === this.trainFiles.length ? 'all with digits in their names: a conditional model'
        : `${named} with digits in their names: an unconditional model`}.`;
    this.ref('train-start').disabled = this.trainFiles.length < 2 || this.trainer !== null;
  }

  /** Trains a small model in a worker on the selected files, then uses it. */
  async train(opts: { epochs?: number; batchSize?: number; learningRate?: number; files?: File[] } = {}): Promise<TrainOutcome | null> {
    await this.ready;
    const files = opts.files ?? this.trainFiles;
    if (files.length < 2) throw new Error('select at least 2 WAV files');
    if (this.trainer) throw new Error('already training');
    const epochs = opts.epochs ?? Math.max(1, Number(this.ref('train-epochs').value) || 1);
    const batchSize = opts.batchSize ?? Math.max(1, Number(this.ref('train-batch').value) || 16);
    const learningRate = opts.learningRate ?? (Number(this.ref('train-lr').value) || 5e-4);
    const start = this.ref<HTMLButtonElement>('train-start'), stop = this.ref<HTMLButtonElement>('train-stop');
    const meta = this.ref('train-meta');
    this.lossPoints.length = 0;
    this.epochEnds.length = 0;
    start.disabled = true;
    stop.disabled = false;
    const trainer = startWorker();
    this.trainer = trainer;
    let note = '';
    const off = trainer.onEvent((e: EventMessage) => {
      if (e.event === 'train-status') meta.textContent = `${e.text}${note ? ` · ${note}` : ''}`;
      else if (e.event === 'train-epoch') this.epochEnds.push(this.lossPoints.at(-1)?.step ?? 0);
      else {
        const p = e.progress;
        this.lossPoints.push({ step: p.step, loss: p.loss, recon: p.recon, kl: p.kl });
        meta.textContent = `epoch ${p.epoch}/${p.epochs} · step ${p.batch}/${p.batches} · loss ${p.loss.toFixed(1)} (reconstruction ${p.recon.toFixed(1)}, KL ${p.kl.toFixed(1)}) · `
          + `${(p.msPerStep / 1000).toFixed(1)} s per step${note ? ` · ${note}` : ''}`;
      }
      const loss = this.ref<HTMLCanvasElement>('loss');
      this.draw(loss, () => drawLossCurve(loss, this.lossPoints, this.epochEnds));
    });
    try {
      meta.textContent = `reading ${files.length} files…`;
      const payload = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: await f.arrayBuffer() })));
      const ready = await trainer.call('init', { role: 'training', modelUrl: null, extrasUrl: null, wasmPaths: this.options.wasmUrl ?? tfjsWasmUrl() });
      note = `tfjs ${ready.backend.backend}${ready.backend.note ? `: ${ready.backend.note}` : ''}`;
      this.message(`training on ${note}`);
      const outcome = await trainer.call('train', { files: payload, epochs, batchSize, learningRate, seed: 1 }, payload.map((p) => p.bytes));
      const { bundle, ...rest } = outcome;
      this.last.trainOutcome = rest;
      const weights = [bundle.encoder.weightData, bundle.decoder.weightData].flat().filter((w): w is ArrayBuffer => w instanceof ArrayBuffer);
      const info = await this.inference.call('loadModel', { bundle, extras: outcome.extras, label: 'trained here' }, weights);
      const select = this.ref<HTMLSelectElement>('model-select');
      select.options[1]!.disabled = false;
      select.value = 'trained';
      this.setModel(info);
      meta.textContent = `Done: ${outcome.steps} steps on ${outcome.files} files in ${outcome.seconds.toFixed(0)} s`
        + `${outcome.stoppedBy === 'abort' ? ' (stopped)' : ''}${outcome.skipped.length ? `, ${outcome.skipped.length} files skipped` : ''}. `
        + `Now in use everywhere (switch with "Model" at the top) · ${note}`;
      this.message('using the model trained here');
      return outcome;
    } finally {
      off();
      trainer.terminate();
      this.trainer = null;
      stop.disabled = true;
      start.disabled = this.trainFiles.length < 2;
    }
  }

  // ---------------------------------------------------------------------------
  // Events

  private wire(): void {
    const on = <K extends keyof HTMLElementEventMap>(name: string, type: K, f: (e: HTMLElementEventMap[K]) => unknown): void => {
      this.ref(name).addEventListener(type, (e) => {
        Promise.resolve(f(e as HTMLElementEventMap[K])).catch((err: unknown) => this.error(err));
      });
    };
    for (const b of this.root.querySelectorAll<HTMLButtonElement>('.digit')) {
      b.addEventListener('click', () => void this.generate({ digit: Number(b.dataset['digit']) }).catch(() => {}));
    }
    on('random', 'click', () => this.generate({ digit: null }));
    for (const [input, out] of [['gen-iter', 'gen-iter-out'], ['recon-iter', 'recon-iter-out']] as const) {
      on(input, 'input', () => (this.ref(out).textContent = this.ref(input).value ?? ''));
    }
    on('recon-iter', 'change', async () => {
      if (!this.last.reconstruction) return;
      const r = await this.run(() => this.inference.call('resynthesize', { nIter: Number(this.ref('recon-iter').value), seed: 1 }), 'Griffin-Lim');
      const dv = this.ref<HTMLSelectElement>('recon-digit').value;
      this.showReconstruction(r, dv === 'auto' ? (r.digitErrors ? 'guessed' : 'from the file name') : 'chosen');
    });
    on('recon-digit', 'change', () => this.reconstructInput());
    on('out-play', 'click', () => this.outSound && this.play(this.outSound));
    on('orig-play', 'click', () => this.last.reconstruction && this.play(this.last.reconstruction.original));
    on('recon-play', 'click', () => this.last.reconstruction && this.play(this.last.reconstruction.reconstruction));
    on('scatter', 'click', (e) => this.explorerClick(e));
    on('scatter', 'mousemove', (e) => this.explorerHover(e));
    on('scatter', 'mouseleave', () => {
      this.ref('tip').hidden = true;
      this.scatter.hover = null;
      if (this.scatter.points.length) this.scatter.draw();
    });
    for (const [name, by] of [['by-digit', 'digit'], ['by-speaker', 'speaker']] as const) {
      on(name, 'click', () => {
        this.scatter.colorBy = by;
        this.ref('by-digit').classList.toggle('on', by === 'digit');
        this.ref('by-speaker').classList.toggle('on', by === 'speaker');
        this.drawScatter();
        this.renderLegend();
      });
    }
    on('morph-t', 'input', () => this.morphAt(false));
    on('morph-t', 'change', () => this.morphAt(true));
    on('morph-a', 'change', () => this.morphAt(false));
    on('morph-b', 'change', () => this.morphAt(false));
    on('morph-play', 'click', () => this.morphAt(true));
    on('recon-file', 'change', () => {
      const f = this.ref('recon-file').files?.[0];
      return f ? this.reconstructFile(f) : undefined;
    });
    on('record', 'click', () => this.record());
    const drop = this.ref('drop');
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.classList.add('dragging');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      drop.classList.remove('dragging');
      const f = e.dataTransfer?.files[0];
      if (f) this.reconstructFile(f).catch((err: unknown) => this.error(err));
    });
    on('train-files', 'change', () => this.setTrainFiles(this.ref('train-files').files ?? null));
    on('train-folder', 'change', () => this.setTrainFiles(this.ref('train-folder').files ?? null));
    on('train-start', 'click', () => this.train());
    on('train-stop', 'click', async () => {
      this.ref('train-stop').disabled = true;
      this.ref('train-meta').textContent += ' · stopping after this step…';
      await this.trainer?.call('stopTraining', {});
    });
    on('model-select', 'change', async () => {
      const which = this.ref<HTMLSelectElement>('model-select').value === 'trained' ? 'trained' : 'built-in';
      this.setModel(await this.inference.call('useModel', { which }));
    });
    on('bench', 'click', () => this.benchmark(10));
  }

  destroy(): void {
    this.resize.disconnect();
    this.inference.terminate();
    this.trainer?.terminate();
    this.source?.stop();
    void this.audioCtx?.close();
    for (const u of this.urls.revoke) URL.revokeObjectURL(u);
  }
}

function mixDown(b: AudioBuffer): Float32Array {
  const out = new Float32Array(b.length);
  for (let c = 0; c < b.numberOfChannels; c++) {
    const ch = b.getChannelData(c);
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + ch[i]! / b.numberOfChannels;
  }
  return out;
}
