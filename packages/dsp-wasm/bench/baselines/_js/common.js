/**
 * FFT-agnostic STFT / dB / Griffin-Lim code shared by the benchmark baselines.
 *
 * Everything here follows librosa 0.10 semantics (see `createStft` and
 * `createGriffinLim`). The only thing a baseline supplies is a `RealFft`
 * adapter around its FFT library, so the baselines differ in the FFT and in
 * nothing else.
 *
 * Performance notes (this is benchmark code, so they matter):
 * - no allocation per frame or per call: buffers live in the closures and are
 *   reallocated only when the clip geometry changes;
 * - the adapter exposes its own input/output buffers (for a WASM FFT these are
 *   views on its aligned heap), and the frame loops read and write them in the
 *   library's native half-spectrum layout, so nothing is copied across the
 *   JS/WASM boundary beyond the samples themselves.
 */
/** numpy.finfo(np.float32).tiny: librosa's `util.tiny` for float32 / complex64 data. */
export const FLOAT32_TINY = 1.1754943508222875e-38;
/** librosa amplitude_to_db default amin (applied to |X|; i.e. 1e-10 on |X|^2). */
export const AMIN = 1e-5;
const POWER_FLOOR = AMIN * AMIN;
const DB_FLOOR = 10 * Math.log10(POWER_FLOOR); // -100
const DB_PER_NEPER_POWER = 10 / Math.LN10; // 10*log10(p) = DB_PER_NEPER_POWER * ln(p)
/** scipy.signal.get_window('hann', winLength, fftbins=True), zero-padded centred to nFft (librosa pad_center). */
export function paddedPeriodicHann(winLength, nFft) {
    const w = new Float64Array(nFft);
    const lpad = (nFft - winLength) >> 1;
    for (let n = 0; n < winLength; n++) {
        w[lpad + n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / winLength);
    }
    return w;
}
/** librosa center=True: 1 + (len + 2*(nFft//2) - nFft) // hop. */
export function stftFrameCount(length, nFft, hop) {
    const padded = length + 2 * (nFft >> 1);
    if (padded < nFft)
        throw new RangeError(`signal of ${length} samples is too short for nFft=${nFft}`);
    return 1 + Math.floor((padded - nFft) / hop);
}
/** In-place librosa top_db clip: db = max(db, max(db) - topDb). Returns `db`. */
export function clipTopDb(db, topDb = 80) {
    if (!(topDb >= 0))
        throw new RangeError('topDb must be non-negative');
    const n = db.length;
    if (n === 0)
        return db;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
        const v = db[i];
        if (v > max)
            max = v;
    }
    const floor = max - topDb;
    for (let i = 0; i < n; i++) {
        if (db[i] < floor)
            db[i] = floor;
    }
    return db;
}
function resolveGeometry(g) {
    const nFft = g.nFft;
    const hop = g.hop;
    const winLength = g.winLength ?? nFft;
    if (!Number.isInteger(nFft) || nFft < 2 || nFft % 2 !== 0)
        throw new RangeError('nFft must be an even integer >= 2');
    if (!Number.isInteger(hop) || hop < 1)
        throw new RangeError('hop must be a positive integer');
    if (!Number.isInteger(winLength) || winLength < 1 || winLength > nFft) {
        throw new RangeError('winLength must be an integer in [1, nFft]');
    }
    const winLo = (nFft - winLength) >> 1;
    return {
        nFft,
        hop,
        winLength,
        nBins: (nFft >> 1) + 1,
        half: nFft >> 1,
        winLo,
        winHi: winLo + winLength,
        window: paddedPeriodicHann(winLength, nFft),
    };
}
function checkFft(fft, nFft) {
    if (fft.n !== nFft)
        throw new Error(`FFT factory returned size ${fft.n}, expected ${nFft}`);
}
/** Zero buf[0, lo) and buf[hi, n): the part of a frame outside the window support. */
function zeroOutsideSupport(buf, lo, hi, n) {
    if (lo > 0)
        buf.fill(0, 0, lo);
    if (hi < n)
        buf.fill(0, hi, n);
}
/**
 * Frame [start, start+nFft) of the zero-padded signal x, windowed, into buf
 * (only the window support [lo, hi) is written).
 */
function loadFrame(x, start, buf, w, lo, hi) {
    const len = x.length;
    let a = -start;
    if (a < lo)
        a = lo;
    let b = len - start;
    if (b > hi)
        b = hi;
    if (a >= b) {
        buf.fill(0, lo, hi);
        return;
    }
    if (a > lo)
        buf.fill(0, lo, a);
    for (let n = a; n < b; n++)
        buf[n] = x[start + n] * w[n];
    if (b < hi)
        buf.fill(0, b, hi);
}
/** dB of one frame's half spectrum into column `t` of a bin-major output. */
function frameToDb(spec, nyq, nBins, out, t, nFrames) {
    const last = nBins - 1;
    const dc = spec[0];
    let p = dc * dc;
    out[t] = p > POWER_FLOOR ? DB_PER_NEPER_POWER * Math.log(p) : DB_FLOOR;
    let o = t + nFrames;
    for (let k = 1; k < last; k++, o += nFrames) {
        const re = spec[2 * k];
        const im = spec[2 * k + 1];
        p = re * re + im * im;
        out[o] = p > POWER_FLOOR ? DB_PER_NEPER_POWER * Math.log(p) : DB_FLOOR;
    }
    const ny = spec[nyq];
    p = ny * ny;
    out[o] = p > POWER_FLOOR ? DB_PER_NEPER_POWER * Math.log(p) : DB_FLOOR;
}
/** |X| of one frame's half spectrum into column `t` of a bin-major output. */
function frameToMagnitude(spec, nyq, nBins, out, t, nFrames) {
    const last = nBins - 1;
    out[t] = Math.abs(spec[0]);
    let o = t + nFrames;
    for (let k = 1; k < last; k++, o += nFrames) {
        const re = spec[2 * k];
        const im = spec[2 * k + 1];
        out[o] = Math.sqrt(re * re + im * im);
    }
    out[o] = Math.abs(spec[nyq]);
}
/**
 * librosa.stft(x, n_fft, hop_length, win_length, window='hann', center=True,
 * pad_mode='constant') followed by |.| or amplitude_to_db(ref=1, amin=1e-5, top_db=None).
 */
export function createStft(fftFactory, geometry) {
    const g = resolveGeometry(geometry);
    const fft = fftFactory(g.nFft);
    checkFft(fft, g.nFft);
    const { nFft, hop, nBins, half, winLo, winHi, window } = g;
    const frameCount = (length) => stftFrameCount(length, nFft, hop);
    const run = (x, out, db) => {
        const nFrames = frameCount(x.length);
        if (out.length !== nBins * nFrames) {
            throw new RangeError(`out must hold ${nBins} x ${nFrames} = ${nBins * nFrames} values, got ${out.length}`);
        }
        const fwdIn = fft.fwdIn;
        const spec = fft.spec;
        const nyq = fft.nyquistIndex;
        zeroOutsideSupport(fwdIn, winLo, winHi, nFft);
        for (let t = 0, start = -half; t < nFrames; t++, start += hop) {
            loadFrame(x, start, fwdIn, window, winLo, winHi);
            fft.forward();
            if (db)
                frameToDb(spec, nyq, nBins, out, t, nFrames);
            else
                frameToMagnitude(spec, nyq, nBins, out, t, nFrames);
        }
    };
    return {
        nFft,
        hop,
        winLength: g.winLength,
        nBins,
        frameCount,
        magnitude: (x, out) => run(x, out, false),
        logMagnitude: (x, out) => run(x, out, true),
        clipTopDb,
        dispose: () => fft.dispose(),
    };
}
/**
 * librosa 0.10 `griffinlim` (fast Griffin-Lim, init=None i.e. zero phase,
 * window='hann', center=True, pad_mode='constant').
 */
export function createGriffinLim(fftFactory, geometry) {
    const g = resolveGeometry(geometry);
    const fft = fftFactory(g.nFft);
    checkFft(fft, g.nFft);
    const { nFft, hop, nBins, half, winLo, winHi, window } = g;
    const specLen = fft.halfSpecLength;
    const nyq = fft.nyquistIndex;
    const last = nBins - 1;
    const synthWindow = new Float64Array(nFft);
    for (let n = 0; n < nFft; n++)
        synthWindow[n] = window[n] * fft.invScale;
    let state = null;
    const prepare = (nFrames, length) => {
        if (state !== null && state.nFrames === nFrames && state.length === length)
            return state;
        const nFramesIstft = Math.min(nFrames, 1 + Math.floor((length + 2 * half) / hop));
        const olaLength = nFft + hop * (nFramesIstft - 1);
        const padLength = Math.max(olaLength, nFft + hop * (nFrames - 1), length + 2 * half);
        // window_sumsquare over the istft frames, trimmed by `half`, fixed to `length`.
        const wss = new Float64Array(padLength);
        for (let t = 0; t < nFramesIstft; t++) {
            const off = t * hop;
            for (let n = winLo; n < winHi; n++)
                wss[off + n] += window[n] * window[n];
        }
        const invWss = new Float64Array(length);
        for (let i = 0; i < length; i++) {
            const v = wss[half + i];
            invWss[i] = v > FLOAT32_TINY ? 1 / v : 1;
        }
        const c = new Float32Array(nFrames * specLen);
        const cFrames = [];
        for (let t = 0; t < nFrames; t++)
            cFrames.push(c.subarray(t * specLen, (t + 1) * specLen));
        state = {
            nFrames,
            length,
            nFramesIstft,
            s: new Float32Array(nFrames * nBins),
            c,
            cFrames,
            rA: new Float32Array(nFrames * specLen),
            rB: new Float32Array(nFrames * specLen),
            pad: new Float64Array(padLength),
            invWss,
        };
        return state;
    };
    /** istft of st.c into st.pad (normalised, zero outside the signal). */
    const istft = (st) => {
        const { cFrames, pad, invWss, length } = st;
        const spec = fft.spec;
        const invOut = fft.invOut;
        const stride = fft.invStride;
        pad.fill(0);
        for (let t = 0; t < st.nFramesIstft; t++) {
            spec.set(cFrames[t]);
            fft.inverse();
            const off = t * hop;
            for (let n = winLo; n < winHi; n++)
                pad[off + n] += invOut[n * stride] * synthWindow[n];
        }
        for (let i = 0; i < length; i++)
            pad[half + i] *= invWss[i];
        pad.fill(0, 0, half);
        pad.fill(0, half + length);
    };
    const run = (mag, opts = {}, out) => {
        const nIter = opts.nIter ?? 32;
        const momentum = opts.momentum ?? 0.99;
        if (!Number.isInteger(nIter) || nIter < 0)
            throw new RangeError('nIter must be a non-negative integer');
        if (!(momentum >= 0))
            throw new RangeError('momentum must be non-negative');
        if (mag.length === 0 || mag.length % nBins !== 0) {
            throw new RangeError(`mag length ${mag.length} is not a positive multiple of nBins=${nBins}`);
        }
        const nFrames = mag.length / nBins;
        const length = opts.length ?? hop * (nFrames - 1);
        if (!Number.isInteger(length) || length < 1)
            throw new RangeError('length must be a positive integer');
        if (stftFrameCount(length, nFft, hop) !== nFrames) {
            throw new RangeError(`length ${length} gives ${stftFrameCount(length, nFft, hop)} STFT frames, mag has ${nFrames}`);
        }
        const y = out ?? new Float32Array(length);
        if (y.length !== length)
            throw new RangeError(`out must have length ${length}`);
        const st = prepare(nFrames, length);
        const { s, c, pad } = st;
        let rCur = st.rA;
        let rPrev = st.rB;
        // S (frame-major) and the zero-phase start: c = S * 1.
        c.fill(0);
        for (let t = 0; t < nFrames; t++) {
            const so = t * nBins;
            const co = t * specLen;
            for (let k = 0; k < nBins; k++)
                s[so + k] = mag[k * nFrames + t];
            c[co] = s[so];
            c[co + nyq] = s[so + last];
            for (let k = 1; k < last; k++)
                c[co + 2 * k] = s[so + k];
        }
        const fwdIn = fft.fwdIn;
        const spec = fft.spec;
        const decay = momentum / (1 + momentum);
        zeroOutsideSupport(fwdIn, winLo, winHi, nFft);
        for (let iter = 0; iter < nIter; iter++) {
            // inverse = istft(S * angles); rebuilt = stft(inverse)
            istft(st);
            // angles = rebuilt - decay * tprev (not on the first pass); angles /= |angles| + tiny; c = S * angles
            const m = iter === 0 ? 0 : decay;
            for (let t = 0; t < nFrames; t++) {
                const off = t * hop;
                for (let n = winLo; n < winHi; n++)
                    fwdIn[n] = pad[off + n] * window[n];
                fft.forward();
                const co = t * specLen;
                const so = t * nBins;
                let re = spec[0];
                rCur[co] = re;
                let ar = re - m * rPrev[co];
                c[co] = (s[so] * ar) / (Math.abs(ar) + FLOAT32_TINY);
                re = spec[nyq];
                rCur[co + nyq] = re;
                ar = re - m * rPrev[co + nyq];
                c[co + nyq] = (s[so + last] * ar) / (Math.abs(ar) + FLOAT32_TINY);
                for (let k = 1; k < last; k++) {
                    const i = co + 2 * k;
                    re = spec[2 * k];
                    const im = spec[2 * k + 1];
                    rCur[i] = re;
                    rCur[i + 1] = im;
                    ar = re - m * rPrev[i];
                    const ai = im - m * rPrev[i + 1];
                    const scale = s[so + k] / (Math.sqrt(ar * ar + ai * ai) + FLOAT32_TINY);
                    c[i] = ar * scale;
                    c[i + 1] = ai * scale;
                }
            }
            const tmp = rPrev;
            rPrev = rCur;
            rCur = tmp;
        }
        istft(st);
        for (let i = 0; i < length; i++)
            y[i] = pad[half + i];
        return y;
    };
    return {
        run,
        dispose: () => {
            state = null;
            fft.dispose();
        },
    };
}
/**
 * A private instance of this module: same code, but its own functions and so
 * its own V8 type feedback. The hot loops here index the FFT's buffers, which
 * are Float32Array for a WASM FFT and Float64Array for fft.js; if both
 * baselines ran through one instance in the same process, those loops would
 * turn polymorphic and slow down whichever baseline is measured (measured on
 * this machine: Griffin-Lim +25% for pffft, +10% for fft.js). A standalone
 * implementation around a single library would never pay that, so each
 * baseline loads its own instance. Falls back to the shared instance where a
 * query-suffixed specifier cannot be imported (some bundlers).
 */
export async function privateInstance(tag) {
    const specifier = `./common.js?instance=${encodeURIComponent(tag)}`;
    try {
        return (await import(specifier));
    }
    catch {
        return await import('./common.js');
    }
}
/** Assemble a baseline from an FFT factory: one FFT plan for the STFT (also used by fftOnly), one for Griffin-Lim. */
export function createBaseline(name, fftFactory, nFft, opts = {}) {
    const geometry = { nFft, hop: opts.hop ?? nFft / 2, winLength: opts.winLength ?? nFft };
    const stft = createStft(fftFactory, geometry);
    const gl = createGriffinLim(fftFactory, geometry);
    const rawFft = fftFactory(nFft);
    checkFft(rawFft, nFft);
    return {
        name,
        nFft,
        stft,
        griffinLim: (mag, glOpts) => gl.run(mag, glOpts),
        fftOnly: (x) => {
            if (x.length !== nFft)
                throw new RangeError(`fftOnly expects ${nFft} samples`);
            rawFft.fwdIn.set(x);
            rawFft.forward();
        },
        dispose: () => {
            stft.dispose();
            gl.dispose();
            rawFft.dispose();
        },
    };
}
