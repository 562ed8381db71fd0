// Runs the shared reference checks and a WAV check in the browser and
// publishes the outcome on window.__results for the Node test to read.
import { createDsp, decodeWav } from '../../src/index.js';
import { referenceChecks } from '../shared/reference-checks.js';
import { loadFixtureFile, toFloat32 } from '../helpers/fixtures.js';
import resampleJson from '../fixtures/resample.json' with { type: 'json' };

interface Outcome { name: string; ok: boolean; error?: string }
declare global {
  interface Window { __results?: { simd: boolean; outcomes: Outcome[] } }
}

async function run(): Promise<{ simd: boolean; outcomes: Outcome[] }> {
  const outcomes: Outcome[] = [];
  const attempt = (name: string, fn: () => void) => {
    try {
      fn();
      outcomes.push({ name, ok: true });
    } catch (e) {
      outcomes.push({ name, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  };
  let simd = false;
  for (const wantSimd of [true, false]) {
    const dsp = await createDsp({ simd: wantSimd });
    if (wantSimd) simd = dsp.simd;
    for (const c of referenceChecks(dsp)) attempt(`${wantSimd ? 'simd' : 'scalar'}: ${c.name}`, () => c.run());
  }
  // WAV over HTTP: the committed FSDD clip decodes to the samples the python reference read.
  const bytes = new Uint8Array(await (await fetch(new URL('../fixtures/fsdd/0_george_0.wav', import.meta.url))).arrayBuffer());
  attempt('decodeWav of a fetched FSDD clip matches scipy.io.wavfile / 32768', () => {
    const wav = decodeWav(bytes, { name: '0_george_0.wav' });
    const want = toFloat32(loadFixtureFile(resampleJson).get('8000_to_22050/0_george_0.wav').array('x'));
    if (wav.sampleRate !== 8000 || wav.channels.length !== 1) throw new Error(`got ${wav.sampleRate} Hz, ${wav.channels.length} channels`);
    const got = wav.channels[0]!;
    if (got.length !== want.length) throw new Error(`length ${got.length} != ${want.length}`);
    for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) throw new Error(`sample ${i}: ${got[i]} != ${want[i]}`);
  });
  return { simd, outcomes };
}

run().then(
  (r) => {
    window.__results = r;
    const failed = r.outcomes.filter((o) => !o.ok);
    document.getElementById('out')!.textContent =
      `SIMD: ${r.simd}\n${r.outcomes.length - failed.length} passed, ${failed.length} failed\n` +
      failed.map((f) => `FAIL ${f.name}: ${f.error}`).join('\n');
  },
  (e: unknown) => {
    console.error(e);
    window.__results = { simd: false, outcomes: [{ name: 'page', ok: false, error: String(e) }] };
  },
);
