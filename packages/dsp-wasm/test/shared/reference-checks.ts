// Comparisons of @specvae/dsp-wasm against the numpy/scipy references of
// scripts/make_fixtures.py. Plain functions that throw on failure, so the same
// checks run under vitest in Node (test/reference.test.ts) and in a real
// browser (test/browser/).
import type { Dsp, StftOptions } from '../../src/index.js';
import { loadFixtureFile, toFloat32, toFloat64, type FixtureCase } from '../helpers/fixtures.js';
import rfftJson from '../fixtures/rfft.json' with { type: 'json' };
import stftJson from '../fixtures/stft.json' with { type: 'json' };
import istftJson from '../fixtures/istft.json' with { type: 'json' };
import glJson from '../fixtures/griffinlim.json' with { type: 'json' };
import dbJson from '../fixtures/db.json' with { type: 'json' };
import resampleJson from '../fixtures/resample.json' with { type: 'json' };

export interface Check {
  name: string;
  run(): void;
}

/** Tolerances, from the issue: STFT within 1e-4 relative; GL convergence within 5 %; resampling >= 60 dB SNR. */
export const TOL = { stftRel: 1e-4, fftRel: 1e-5, istftRel: 1e-5, glRel: 0.05, dbAbs: 2e-4, dbToAmpRel: 1e-5, resampleSnrDb: 60 };

function ensure(cond: boolean, message: string): void {
  if (!cond) throw new Error(message);
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** max |a - b| / max |b| (absolute when b is all zeros). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  ensure(a.length === b.length, `length ${a.length} != reference ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  const s = maxAbs(b);
  return s > 0 ? m / s : m;
}

/**
 * sum_t w[i + offset - t*hop]^2 for each output sample i: the ISTFT
 * normalisation envelope, from the periodic Hann formula (independent of the
 * library's window code).
 */
function windowEnvelope(nFft: number, winLength: number, hop: number, nFrames: number, center: boolean, n: number): Float64Array {
  const w = new Float64Array(nFft);
  const left = (nFft - winLength) >> 1;
  for (let i = 0; i < winLength; i++) w[left + i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / winLength);
  const offset = center ? nFft >> 1 : 0;
  const env = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = i + offset;
    for (let t = Math.max(0, Math.ceil((p - nFft + 1) / hop)); t < nFrames && t * hop <= p; t++) env[i] = env[i]! + w[p - t * hop]! ** 2;
  }
  return env;
}

function stftOptions(c: FixtureCase): StftOptions {
  const padMode = c.param('pad_mode');
  return {
    nFft: c.num('n_fft'),
    hop: c.num('hop_length'),
    winLength: c.num('win_length'),
    center: c.bool('center'),
    padMode: padMode === 'reflect' ? 'reflect' : 'constant',
  };
}

export function referenceChecks(dsp: Dsp): Check[] {
  const checks: Check[] = [];
  const add = (name: string, run: () => void) => checks.push({ name, run });

  const rfft = loadFixtureFile(rfftJson);
  for (const c of rfft.withPrefix('rfft/')) {
    add(`${c.name} matches numpy.fft.rfft`, () => {
      const { re, im } = dsp.rfft(toFloat32(c.array('x')));
      const ref = c.complex();
      const e = Math.max(relErr(re, ref.re), relErr(im, ref.im));
      ensure(e < TOL.fftRel, `${c.name}: relative error ${e}`);
    });
  }
  for (const c of rfft.withPrefix('irfft/')) {
    add(`${c.name} matches numpy.fft.irfft`, () => {
      const y = dsp.irfft(toFloat32(c.array('re')), toFloat32(c.array('im')));
      const e = relErr(y, toFloat64(c.array('y')));
      ensure(e < TOL.fftRel, `${c.name}: relative error ${e}`);
    });
  }

  for (const c of loadFixtureFile(stftJson).cases) {
    add(`stft ${c.name} matches the librosa reference (magnitude within 1e-4 relative)`, () => {
      const opts = stftOptions(c);
      const S = dsp.stft(toFloat32(c.array('y')), opts);
      const [nBins, nFrames] = c.shape('re');
      ensure(S.nBins === nBins && S.nFrames === nFrames, `${c.name}: shape ${S.nBins}x${S.nFrames}, reference ${nBins}x${nFrames}`);
      const ref = c.complex();
      const mag = new Float64Array(S.re.length), refMag = new Float64Array(S.re.length);
      for (let i = 0; i < mag.length; i++) {
        mag[i] = Math.hypot(S.re[i]!, S.im[i]!);
        refMag[i] = Math.hypot(ref.re[i]!, ref.im[i]!);
      }
      const e = relErr(mag, refMag);
      ensure(e < TOL.stftRel, `${c.name}: magnitude relative error ${e}`);
      const ec = Math.max(relErr(S.re, ref.re), relErr(S.im, ref.im));
      ensure(ec < TOL.stftRel, `${c.name}: complex relative error ${ec}`);
      // The fused magnitude path agrees too.
      const M = dsp.stftMagnitude(toFloat32(c.array('y')), opts);
      ensure(relErr(M.data, refMag) < TOL.stftRel, `${c.name}: stftMagnitude differs`);
    });
  }

  for (const c of loadFixtureFile(istftJson).cases) {
    add(`istft ${c.name} matches the librosa reference`, () => {
      const [nBins, nFrames] = c.shape('re');
      const length = c.numOrNull('length');
      const opts = { nFft: c.num('n_fft'), hop: c.num('hop_length'), winLength: c.num('win_length'), center: c.bool('center') };
      const y = dsp.istft(
        { re: toFloat32(c.array('re')), im: toFloat32(c.array('im')), nBins: nBins!, nFrames: nFrames! },
        length === null ? opts : { ...opts, length },
      );
      const want = toFloat64(c.array('y'));
      ensure(y.length === want.length, `${c.name}: length ${y.length}, reference ${want.length}`);
      // Where the squared-window envelope is nearly 0 (the first samples
      // without centring, the last covered sample), dividing by it amplifies
      // float32 rounding ~1e7-fold: 1e-5 holds where the envelope is at least
      // 1e-3 of its peak (or exactly 0: both sides leave those samples at 0),
      // and a looser 1e-3 on the edge ramps where it is not.
      const env = windowEnvelope(opts.nFft, opts.winLength, opts.hop, nFrames!, opts.center, y.length);
      const peakEnv = maxAbs(env), scale = maxAbs(want) || 1;
      let good = 0, poor = 0, nPoor = 0;
      for (let i = 0; i < y.length; i++) {
        const e = Math.abs(y[i]! - want[i]!) / scale;
        if (env[i]! >= 1e-3 * peakEnv || env[i] === 0) good = Math.max(good, e);
        else { poor = Math.max(poor, e); nPoor++; }
      }
      ensure(good < TOL.istftRel, `${c.name}: relative error ${good} where the window envelope is well conditioned`);
      ensure(poor < 1e-3, `${c.name}: relative error ${poor} on the ${nPoor} ill-conditioned samples`);
      ensure(nPoor <= opts.nFft / 4, `${c.name}: ${nPoor} ill-conditioned samples, expected only the edge ramps`);
    });
  }

  for (const c of loadFixtureFile(glJson).cases) {
    add(`griffinLim ${c.name} reaches the reference spectral convergence within 5 %`, () => {
      ensure(c.param('init') === null, `${c.name}: only zero-phase fixtures are comparable`);
      const [nBins, nFrames] = c.shape('S');
      const opts = { ...stftOptions(c), length: c.num('length') };
      const S = { data: toFloat32(c.array('S')), nBins: nBins!, nFrames: nFrames! };
      const r = dsp.griffinLim(S, { ...opts, nIter: c.num('n_iter'), momentum: c.num('momentum'), init: 'zeros', convergence: true });
      const refIters = toFloat64(c.array('sc_per_iter'));
      const last = r.convergence![r.convergence!.length - 1]!;
      const refLast = refIters[refIters.length - 1]!;
      ensure(Math.abs(last - refLast) <= TOL.glRel * refLast, `${c.name}: last-iteration convergence ${last}, reference ${refLast}`);
      // Spectral convergence of the returned signal against the final reference value.
      const R = dsp.stftMagnitude(r.signal, opts);
      let num = 0, den = 0;
      for (let i = 0; i < R.data.length; i++) { num += (R.data[i]! - S.data[i]!) ** 2; den += S.data[i]! ** 2; }
      const sc = Math.sqrt(num / den), refSc = c.num('sc_final');
      ensure(Math.abs(sc - refSc) <= TOL.glRel * refSc, `${c.name}: final convergence ${sc}, reference ${refSc}`);
    });
  }

  const db = loadFixtureFile(dbJson);
  for (const c of db.withPrefix('amplitude_to_db/')) {
    add(`${c.name} is exact`, () => {
      const ref = c.param('ref');
      const out = dsp.amplitudeToDb(toFloat32(c.array('S')), {
        ref: ref === 'max' ? 'max' : c.num('ref'), amin: c.num('amin'), topDb: c.numOrNull('top_db'),
      });
      const want = toFloat64(c.array('db'));
      let e = 0;
      for (let i = 0; i < out.length; i++) e = Math.max(e, Math.abs(out[i]! - want[i]!));
      ensure(e < TOL.dbAbs, `${c.name}: max error ${e} dB`);
    });
  }
  for (const c of db.withPrefix('db_to_amplitude/')) {
    add(`${c.name} is exact`, () => {
      const out = dsp.dbToAmplitude(toFloat32(c.array('x')), { ref: c.num('ref') });
      const want = toFloat64(c.array('amp'));
      let e = 0;
      for (let i = 0; i < out.length; i++) e = Math.max(e, Math.abs(out[i]! - want[i]!) / Math.max(want[i]!, 1e-30));
      ensure(e < TOL.dbToAmpRel, `${c.name}: max relative error ${e}`);
    });
  }

  for (const c of loadFixtureFile(resampleJson).cases) {
    add(`resample ${c.name} matches scipy resample_poly (>= 60 dB SNR)`, () => {
      const from = c.num('orig_sr'), to = c.num('target_sr');
      const x = toFloat32(c.array('x'));
      const want = toFloat64(c.array('y'));
      let y = dsp.resample(x, from, to);
      if (c.has('file_samples') || y.length !== want.length) {
        // librosa.load cases: resampled, then fixed to the stored length.
        const fixed = new Float32Array(want.length);
        fixed.set(y.subarray(0, Math.min(y.length, want.length)));
        y = fixed;
      }
      let sig = 0, err = 0;
      for (let i = 0; i < want.length; i++) { sig += want[i]! ** 2; err += (y[i]! - want[i]!) ** 2; }
      const snr = err === 0 ? Infinity : 10 * Math.log10(sig / err);
      ensure(snr >= TOL.resampleSnrDb, `${c.name}: SNR ${snr.toFixed(1)} dB`);
    });
  }
  return checks;
}
