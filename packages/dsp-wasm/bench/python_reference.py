"""Same-run Python baselines for bench/dsp.bench.ts (numpy + scipy only).

Reads a little-endian float32 file of N clips x 16,317 samples (22,050 Hz,
the original geometry) and a float32 file of 8 kHz clips (concatenated, with
their lengths), times numpy's STFT (window + rfft + magnitude + dB), numpy's
fast Griffin-Lim (32 iterations), scipy.signal.resample_poly 8 kHz -> 22.05 kHz
(which redesigns its filter on each call) and scipy.signal.upfirdn with the
filter designed once, and prints one JSON object with ms per clip (median of
3 rounds). Usage: python3 python_reference.py clips22k.f32 clips8k.f32 lengths8k.i32
"""
import json
import sys
import time

import numpy as np
from scipy import signal

N_FFT, HOP, L22 = 512, 256, 16317


def hann(n):
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)


WIN = hann(N_FFT).astype(np.float32)


def stft(y):
    p = np.pad(y, N_FFT // 2)
    n_frames = 1 + len(y) // HOP
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n_frames)[:, None]
    return np.fft.rfft(p[idx] * WIN, axis=1).T


def stft_db(y):
    return 20 * np.log10(np.maximum(1e-5, np.abs(stft(y))))


def istft(s, length):
    frames = np.fft.irfft(s.T, n=N_FFT, axis=1) * WIN
    n = N_FFT + HOP * (frames.shape[0] - 1)
    y = np.zeros(n, dtype=np.float32)
    wss = np.zeros(n, dtype=np.float32)
    for t, f in enumerate(frames):
        y[t * HOP:t * HOP + N_FFT] += f
        wss[t * HOP:t * HOP + N_FFT] += WIN ** 2
    nz = wss > np.finfo(np.float32).tiny
    y[nz] /= wss[nz]
    y = y[N_FFT // 2:]
    out = np.zeros(length, dtype=np.float32)
    out[:min(length, len(y))] = y[:length]
    return out


def griffinlim(mag, n_iter=32, momentum=0.99):
    angles = np.ones(mag.shape, dtype=np.complex64)
    rebuilt = 0.0
    for _ in range(n_iter):
        tprev = rebuilt
        inverse = istft(mag * angles, L22)
        rebuilt = stft(inverse)
        angles[:] = rebuilt - (momentum / (1 + momentum)) * tprev
        angles /= np.abs(angles) + np.finfo(np.float32).tiny
    return istft(mag * angles, L22)


def timed(fn, items):
    best = []
    for _ in range(3):
        t = time.perf_counter()
        for it in items:
            fn(it)
        best.append((time.perf_counter() - t) * 1000 / len(items))
    return float(np.median(best))


def main():
    clips22 = np.fromfile(sys.argv[1], dtype='<f4').reshape(-1, L22)
    flat8 = np.fromfile(sys.argv[2], dtype='<f4')
    lengths = np.fromfile(sys.argv[3], dtype='<i4')
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    clips8 = [flat8[s:s + n] for s, n in zip(starts, lengths)]
    h = signal.firwin(2 * 10 * 441 + 1, 1.0 / 441, window=('kaiser', 5.0)) * 441

    out = {
        'numpy_stft_db_ms': timed(stft_db, clips22),
        'numpy_griffinlim_ms': timed(griffinlim, [np.abs(stft(c)).astype(np.float32) for c in clips22[:20]]),
        'scipy_resample_poly_ms': timed(lambda x: signal.resample_poly(x, 441, 160), clips8[:500]),
        'scipy_upfirdn_ms': timed(lambda x: signal.upfirdn(h, x, 441, 160), clips8[:500]),
        'numpy': np.__version__,
        'scipy': __import__('scipy').__version__,
    }
    print(json.dumps(out))


if __name__ == '__main__':
    main()
