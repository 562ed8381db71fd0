/**
 * The feature pipeline on real FSDD clips: presets, an independent numpy
 * reference of the original pipeline (scripts/feature_reference.py), the way
 * back through Griffin-Lim, and input checking.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createDsp, decodeWav, frameCount, type Dsp } from '@specvae/dsp-wasm';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  audioFromFeatures, FEATURE_PRESETS, featureConfigKey, featurePreset, featureShape, featuresFromSignal,
  featuresFromSignals, featuresToMagnitude, pipelineSignal, resynthesize, sourceRateProblem, validateFeatureConfig, wavFromFeatures, type FeatureConfig,
} from '../src/features/index.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PACKAGE = path.resolve(HERE, '..');
const REPO_ROOT = path.resolve(PACKAGE, '..', '..');
const FSDD_DIR = process.env.FSDD_DIR ?? path.resolve(REPO_ROOT, '../shared/fsdd');

let dsp: Dsp;
beforeAll(async () => {
  dsp = await createDsp();
});

function readClip(file: string): Float32Array {
  const w = decodeWav(readFileSync(path.join(FSDD_DIR, file)), { name: file, mono: true });
  expect(w.sampleRate).toBe(8000);
  return w.channels[0]!;
}

/** ||reference - estimate|| / ||reference|| (Frobenius), for linear magnitudes. */
function spectralConvergence(reference: Float32Array, estimate: Float32Array): number {
  expect(reference.length).toBe(estimate.length);
  let num = 0, den = 0;
  for (let i = 0; i < reference.length; i++) {
    num += (reference[i]! - estimate[i]!) ** 2;
    den += reference[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

interface FixtureCase {
  name: string;
  params: {
    preset: 'original' | 'default'; clip: string; source_samples: number; kept_source_samples: number;
    resampled_samples: number; n_bins: number; n_frames: number; db_min: number; db_max: number;
    crop_after_resample_max_abs_diff?: number;
  };
  arrays: { features: { dtype: 'float32'; shape: [number, number]; b64: string } };
}

function loadFixture(): { resampler: string; cases: FixtureCase[] } {
  return JSON.parse(readFileSync(path.join(HERE, 'fixtures', 'features.json'), 'utf8')) as { resampler: string; cases: FixtureCase[] };
}

function decodeF32(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  const out = new Float32Array(buf.length / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

describe('presets', () => {
  it('original is the experiment: 22,050 Hz, 0.74 s at the source rate, 16,317 samples, 256 x 64', () => {
    const c = featurePreset('original');
    expect(c).toEqual({
      sampleRate: 22050, duration: 0.74, length: 16317, nFft: 512, hop: 256, winLength: 512, dropNyquist: true,
      amin: 1e-5, topDb: 80, griffinLim: { nIter: 32, momentum: 0.99, init: 'random', seed: 1 }, peak: 0.9,
    });
    expect(featureShape(c)).toEqual({ nBins: 256, stftBins: 257, nFrames: 64, size: 256 * 64, inputShape: [256, 64, 1] });
    // int(0.74 * 8000) = 5,920 samples at 8 kHz resample to exactly 16,317 (librosa.load(duration=0.74)).
    expect(Math.floor(0.74 * 8000)).toBe(5920);
    expect(dsp.resample(new Float32Array(5920), 8000, 22050).length).toBe(16317);
  });

  it('default: native 8 kHz, 128 x 144 covering the longest FSDD file, cleanly divisible by 16', () => {
    const c = featurePreset('default');
    const s = featureShape(c);
    expect(c.sampleRate).toBe(8000);
    expect(c.duration).toBeNull();
    expect(s).toEqual({ nBins: 128, stftBins: 129, nFrames: 144, size: 128 * 144, inputShape: [128, 144, 1] });
    expect(c.length).toBeGreaterThanOrEqual(18262); // 9_theo_16.wav, the longest file
    expect(s.nFrames % 16).toBe(0);
    expect(s.nBins % 16).toBe(0);
    expect(frameCount(c.length, c.nFft, c.hop, true)).toBe(144);
    expect(frameCount(c.length - 1, c.nFft, c.hop, true)).toBe(143); // the shortest such length
    expect(frameCount(18262, c.nFft, c.hop, true)).toBe(143);
  });

  it('configs are plain JSON; presets are frozen, featurePreset returns a validated copy with overrides', () => {
    for (const name of ['original', 'default'] as const) {
      const c = featurePreset(name);
      expect(validateFeatureConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
      expect(Object.isFrozen(FEATURE_PRESETS[name])).toBe(true);
      expect(Object.isFrozen(FEATURE_PRESETS[name].griffinLim)).toBe(true);
      c.griffinLim.nIter = 5; // a copy: the preset is untouched
      expect(FEATURE_PRESETS[name].griffinLim.nIter).toBe(32);
    }
    const o = featurePreset('default', { hop: 64, length: 18368, griffinLim: { nIter: 60 } });
    expect(featureShape(o).nFrames).toBe(288);
    expect(o.griffinLim).toEqual({ nIter: 60, momentum: 0.99, init: 'random', seed: 1 });
    expect(() => featurePreset('bogus' as 'default')).toThrow(/unknown feature preset "bogus"/);
  });

  it('rejects invalid configs with a RangeError naming the field', () => {
    const base = featurePreset('default') as unknown as Record<string, unknown>;
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ ...base, nFft: 300 }, /nFft must be a power of two/],
      [{ ...base, hop: 300 }, /hop .*at most winLength/],
      [{ ...base, winLength: 512 }, /winLength .*at most nFft/],
      [{ ...base, sampleRate: 8000.5 }, /sampleRate must be an integer/],
      [{ ...base, length: 0 }, /length must be an integer/],
      [{ ...base, amin: 0 }, /amin must be > 0/],
      [{ ...base, topDb: Number.NaN }, /topDb must be a finite number/],
      [{ ...base, duration: -1 }, /duration must be > 0/],
      [{ ...base, peak: 1.5 }, /peak must be in \(0, 1\]/],
      [{ ...base, dropNyquist: 'yes' }, /dropNyquist must be a boolean/],
      [{ ...base, hopLength: 128 }, /unknown field "hopLength"/],
      [{ ...base, griffinLim: { nIter: 32, momentum: 0.99, init: 'random' } }, /missing field "seed" in griffinLim/],
      [{ ...base, griffinLim: { nIter: 32, momentum: 0.99, init: 'phase', seed: 1 } }, /griffinLim.init/],
    ];
    for (const [cfg, re] of bad) expect(() => validateFeatureConfig(cfg)).toThrow(re);
    const { hop: _hop, ...noHop } = base;
    expect(() => validateFeatureConfig(noHop)).toThrow(/missing field "hop"/);
    expect(() => validateFeatureConfig(null)).toThrow(RangeError);
  });

  it('the config key changes with every field', () => {
    const c = featurePreset('default');
    const k = featureConfigKey(c);
    expect(featureConfigKey(JSON.parse(JSON.stringify(c)) as FeatureConfig)).toBe(k);
    const variants: FeatureConfig[] = [
      { ...c, sampleRate: 16000 }, { ...c, duration: 1 }, { ...c, length: 18305 }, { ...c, nFft: 512 },
      { ...c, hop: 64 }, { ...c, winLength: 200 }, { ...c, dropNyquist: false }, { ...c, amin: 1e-6 },
      { ...c, topDb: 60 }, { ...c, topDb: null }, { ...c, peak: 0.5 },
      { ...c, griffinLim: { ...c.griffinLim, nIter: 33 } }, { ...c, griffinLim: { ...c.griffinLim, momentum: 0 } },
      { ...c, griffinLim: { ...c.griffinLim, init: 'zeros' } }, { ...c, griffinLim: { ...c.griffinLim, seed: 2 } },
    ];
    const keys = new Set(variants.map(featureConfigKey));
    expect(keys.size).toBe(variants.length);
    expect(keys.has(k)).toBe(false);
  });
});

describe('original preset vs an independent numpy reference (scripts/feature_reference.py)', () => {
  // Tolerance 1e-3 after normalisation = 0.08 dB (features are (dB - min) / 80).
  // Both sides use the same resampler design (scipy.signal.resample_poly =
  // librosa.resample(res_type='polyphase')); the reference runs in float64,
  // dsp-wasm in float32. Float32 round-off in resampling, FFT and log10 stays
  // far below 0.08 dB for every bin above the -80 dB floor (measured max
  // difference over the six cases: 9e-7 to 3.3e-5, dB ranges within 1.3e-6
  // dB), while every structural mistake is far above it: the
  // crop-after-resample order moves features by up to 1.4e-2 (stored by the
  // script and checked below), a wrong window/padding/Nyquist/top_db handling
  // by more.
  const TOL = 1e-3;
  const fixture = loadFixture();

  it('the fixture documents its resampler and holds both presets', () => {
    expect(fixture.resampler).toMatch(/resample_poly.*polyphase.*soxr/);
    expect(fixture.cases.filter((c) => c.params.preset === 'original').length).toBeGreaterThanOrEqual(4);
    expect(fixture.cases.filter((c) => c.params.preset === 'default').length).toBeGreaterThanOrEqual(2);
  });

  for (const fc of fixture.cases) {
    it(`${fc.name}: features within ${TOL}, dB range within 0.01 dB`, () => {
      const p = fc.params;
      const cfg = featurePreset(p.preset);
      const signal = readClip(p.clip);
      expect(signal.length).toBe(p.source_samples);
      const ref = decodeF32(fc.arrays.features.b64);
      expect(fc.arrays.features.shape).toEqual([p.n_bins, p.n_frames]);
      const ours = featuresFromSignal(dsp, signal, 8000, cfg);
      expect(ours.shape).toEqual([p.n_bins, p.n_frames]);
      const err = maxAbsDiff(ours.features, ref);
      expect(err).toBeLessThan(TOL);
      expect(Math.abs(ours.range[0] - p.db_min)).toBeLessThan(0.01);
      expect(Math.abs(ours.range[1] - p.db_max)).toBeLessThan(0.01);
      let lo = Infinity, hi = -Infinity;
      for (const v of ours.features) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      expect([lo, hi]).toEqual([0, 1]);
      if (p.preset === 'original' && p.source_samples > 5920) {
        expect(p.kept_source_samples).toBe(5920);
        expect(p.resampled_samples).toBe(16317);
        // The tolerance is able to see the wrong crop order on this clip.
        expect(p.crop_after_resample_max_abs_diff).toBeGreaterThan(TOL);
      }
    });
  }
});

describe('featuresFromSignals', () => {
  const clips = ['0_george_0.wav', '9_theo_16.wav', '6_yweweler_3.wav', '3_lucas_7.wav', '5_nicolas_20.wav'];

  it('the batch equals clip-by-clip results, into a caller-provided buffer', () => {
    const cfg = featurePreset('default');
    const signals = clips.map(readClip);
    const { size } = featureShape(cfg);
    const out = new Float32Array(clips.length * size);
    const b = featuresFromSignals(dsp, signals, 8000, cfg, { out });
    expect(b.features).toBe(out);
    expect(b.shape).toEqual([clips.length, 128, 144]);
    signals.forEach((s, i) => {
      const one = featuresFromSignal(dsp, s, 8000, cfg);
      expect(b.features.subarray(i * size, (i + 1) * size)).toEqual(one.features);
      expect([b.ranges[2 * i], b.ranges[2 * i + 1]]).toEqual(one.range);
      expect(one.range[1] - one.range[0]).toBeCloseTo(80, 4); // top_db bites on FSDD
    });
    expect(() => featuresFromSignals(dsp, signals, 8000, cfg, { out: new Float32Array(10) })).toThrow(/out must be a Float32Array of exactly 5 x 128 x 144/);
  });

  it('per-signal source rates; long inputs give the same features as resampling them whole', () => {
    const cfg = featurePreset('default');
    const x8 = readClip('7_theo_36.wav');
    const x16 = dsp.resample(x8, 8000, 16000);
    // A long 44.1 kHz signal: the pipeline only resamples the part that can reach the kept samples.
    const long = new Float32Array(44100 * 6);
    long.set(dsp.resample(x8, 8000, 44100));
    for (let i = 0; i < long.length; i++) long[i] = long[i]! + 0.01 * Math.sin(i * 0.37);
    const b = featuresFromSignals(dsp, [x8, x16, long], [8000, 16000, 44100], cfg);
    const { size } = featureShape(cfg);
    const whole = featuresFromSignal(dsp, dsp.resample(long, 44100, 8000), 8000, cfg);
    expect(maxAbsDiff(b.features.subarray(2 * size, 3 * size), whole.features)).toBeLessThan(1e-5);
    // 8 -> 16 -> 8 kHz matches the 8 kHz clip below 3.1 kHz (100 rows of 31.25 Hz), where
    // the resampling filter is flat; its roll-off near 4 kHz changes the top rows.
    const rows = 100 * 144;
    expect(maxAbsDiff(b.features.subarray(0, rows), b.features.subarray(size, size + rows))).toBeLessThan(0.02);
    expect(() => featuresFromSignals(dsp, [x8, x16], [8000], cfg)).toThrow(/1 source rates given for 2 signals/);
  });

  it('keeping the Nyquist row: 257 x 64, the same dB values in the shared rows', () => {
    const x = readClip('0_george_0.wav');
    const a = featuresFromSignal(dsp, x, 8000, featurePreset('original'));
    const b = featuresFromSignal(dsp, x, 8000, featurePreset('original', { dropNyquist: false }));
    expect(b.shape).toEqual([257, 64]);
    const sa = a.range[1] - a.range[0], sb = b.range[1] - b.range[0];
    let worst = 0;
    for (let i = 0; i < 256 * 64; i++) {
      const da = a.features[i]! * sa + a.range[0], db = b.features[i]! * sb + b.range[0];
      if (da > a.range[0] + 1e-3 && db > b.range[0] + 1e-3) worst = Math.max(worst, Math.abs(da - db));
    }
    expect(worst).toBeLessThan(1e-3);
  });

  it('digital silence gives all-zero features, not NaN', () => {
    const f = featuresFromSignal(dsp, new Float32Array(4000), 8000, featurePreset('default'));
    expect(f.features.every((v) => v === 0)).toBe(true);
    expect(f.range[0]).toBeCloseTo(-100, 4);
  });

  it('clear RangeErrors for bad input', () => {
    const cfg = featurePreset('default');
    const x = readClip('0_george_0.wav');
    const withNaN = x.slice();
    withNaN[100] = Number.NaN;
    expect(() => featuresFromSignal(dsp, withNaN, 8000, cfg)).toThrow(/signal 0 has a non-finite sample \(NaN at index 100\)/);
    expect(() => featuresFromSignal(dsp, new Float32Array(0), 8000, cfg)).toThrow(/signal 0 is empty/);
    expect(() => featuresFromSignal(dsp, Array.from(x) as unknown as Float32Array, 8000, cfg)).toThrow(/must be a Float32Array/);
    expect(() => featuresFromSignal(dsp, x, 7919, cfg)).toThrow(/unsupported sample rate 7919 Hz/);
    expect(() => featuresFromSignal(dsp, x, 0, cfg)).toThrow(/unsupported sample rate 0 Hz/);
    expect(() => featuresFromSignal(dsp, x, 8000.5, cfg)).toThrow(RangeError);
    expect(() => featuresFromSignal(dsp, x, 8000, { ...cfg, nFft: 100 })).toThrow(/invalid FeatureConfig: nFft/);
    for (const r of [8000, 11025, 16000, 22050, 32000, 44100, 48000, 96000]) expect(sourceRateProblem(r, cfg)).toBeNull();
  });
});

describe('pipelineSignal', () => {
  it('is the recording zero-padded or cropped to config.length (as the features see it)', () => {
    const clip = readClip('0_jackson_0.wav');
    const c = featurePreset('default');
    expect(clip.length).toBeLessThan(c.length);
    const padded = pipelineSignal(dsp, clip, 8000, c);
    expect(padded.length).toBe(c.length);
    expect(Array.from(padded.subarray(0, clip.length))).toEqual(Array.from(clip));
    expect(padded.subarray(clip.length).every((v) => v === 0)).toBe(true);
    const short = featurePreset('default', { length: 1000 });
    expect(Array.from(pipelineSignal(dsp, clip, 8000, short))).toEqual(Array.from(clip.subarray(0, 1000)));
    // Resampled: 8 kHz -> 22,050 Hz, cut at 0.74 s, exactly 16,317 samples.
    expect(pipelineSignal(dsp, clip, 8000, featurePreset('original')).length).toBe(16317);
  });
});

describe('the way back: Griffin-Lim', () => {
  const clips = ['0_george_0.wav', '9_theo_16.wav', '6_yweweler_3.wav', '3_lucas_7.wav'];

  for (const preset of ['default', 'original'] as const) {
    it(`${preset}: features -> audio -> features is close (spectral convergence < 0.15), peak 0.9, WAV decodes`, () => {
      const cfg = featurePreset(preset);
      for (const clip of clips) {
        const f = featuresFromSignal(dsp, readClip(clip), 8000, cfg);
        const r = resynthesize(dsp, f.features, cfg, { range: f.range });
        expect(r.audio.length).toBe(cfg.length);
        expect(r.sampleRate).toBe(cfg.sampleRate);
        let peak = 0;
        for (const v of r.audio) peak = Math.max(peak, Math.abs(v));
        expect(peak).toBeCloseTo(0.9, 6);
        // Griffin-Lim's own convergence, ||(|STFT(x)| - S)|| / ||S||, after 32 iterations.
        expect(r.convergence.length).toBe(32);
        const gl = r.convergence[31]!;
        expect(gl).toBeLessThan(0.15);
        expect(gl).toBeLessThan(r.convergence[0]!);
        // Round trip through our own pipeline, compared as linear magnitudes
        // relative to each clip's loudest bin. Measured 0.04-0.08 (both presets,
        // these four clips); 1 would be as far as silence.
        const g = featuresFromSignal(dsp, r.audio, cfg.sampleRate, cfg);
        const sc = spectralConvergence(featuresToMagnitude(dsp, f.features, cfg).data, featuresToMagnitude(dsp, g.features, cfg).data);
        expect(sc).toBeLessThan(0.15);
        // The range only sets the level, which peak normalisation removes.
        const d = audioFromFeatures(dsp, f.features, cfg);
        // (Not bit-identical: float32 round-off at another level grows a little over the iterations.)
        expect(maxAbsDiff(d, r.audio)).toBeLessThan(2e-3);
      }
      const f = featuresFromSignal(dsp, readClip('2_jackson_8.wav'), 8000, cfg);
      const wav = wavFromFeatures(dsp, f.features, cfg, { nIter: 8 });
      const w = decodeWav(wav);
      expect(w.sampleRate).toBe(cfg.sampleRate);
      expect(w.format).toBe('pcm16');
      expect(w.length).toBe(cfg.length);
      const a = audioFromFeatures(dsp, f.features, cfg, { nIter: 8 });
      expect(maxAbsDiff(w.channels[0]!, a)).toBeLessThanOrEqual(1 / 32768 + 1e-7);
    });
  }

  it('more iterations converge further; the seed makes it repeatable', () => {
    const cfg = featurePreset('default');
    const f = featuresFromSignal(dsp, readClip('5_nicolas_20.wav'), 8000, cfg);
    const a = resynthesize(dsp, f.features, cfg, { nIter: 64 });
    const b = resynthesize(dsp, f.features, cfg, { nIter: 64 });
    const c = resynthesize(dsp, f.features, cfg, { nIter: 64, seed: 7 });
    const short = resynthesize(dsp, f.features, cfg, { nIter: 8 });
    expect(a.audio).toEqual(b.audio);
    expect(maxAbsDiff(a.audio, c.audio)).toBeGreaterThan(1e-3);
    expect(a.convergence[63]!).toBeLessThan(short.convergence[7]!);
    expect(resynthesize(dsp, f.features, cfg, { nIter: 0 }).convergence.length).toBe(0);
  });

  it('clear RangeErrors for wrong shapes, NaN, bad options', () => {
    const cfg = featurePreset('default');
    const { size } = featureShape(cfg);
    const ok = new Float32Array(size).fill(0.5);
    expect(() => audioFromFeatures(dsp, new Float32Array(size - 1), cfg)).toThrow(/one clip of 128 x 144 = 18432 values, got 18431/);
    expect(() => audioFromFeatures(dsp, new Float32Array(2 * size), cfg)).toThrow(/\(2 clips\? pass one subarray per clip\)/);
    const nan = ok.slice();
    nan[3 * 144 + 5] = Number.NaN;
    expect(() => audioFromFeatures(dsp, nan, cfg)).toThrow(/non-finite value \(NaN at bin 3, frame 5\)/);
    expect(() => audioFromFeatures(dsp, [0.5] as unknown as Float32Array, cfg)).toThrow(/must be a Float32Array/);
    expect(() => audioFromFeatures(dsp, ok, cfg, { range: [0, -80] })).toThrow(/min <= max/);
    expect(() => audioFromFeatures(dsp, ok, cfg, { range: [Number.NaN, 0] })).toThrow(/finite/);
    expect(() => audioFromFeatures(dsp, ok, cfg, { nIter: -1 })).toThrow(/nIter/);
    expect(() => audioFromFeatures(dsp, ok, cfg, { seed: 1.5 })).toThrow(/seed/);
  });
});

describe('browser safety', () => {
  it('src/features and the pure data modules import nothing from node:', () => {
    const files = [
      ...readdirSync(path.join(PACKAGE, 'src', 'features')).map((f) => path.join('src', 'features', f)),
      path.join('src', 'data', 'fsdd.ts'),
      path.join('src', 'data', 'index.ts'),
    ].filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const text = readFileSync(path.join(PACKAGE, f), 'utf8');
      expect(text, f).not.toMatch(/from\s+['"]node:|import\(\s*['"]node:|require\(/);
      expect(text, f).not.toMatch(/from\s+['"]\.\/(node|cache)\.js['"]/);
      expect(text, f).not.toMatch(/\bBuffer\b|\bprocess\./);
    }
  });
});
