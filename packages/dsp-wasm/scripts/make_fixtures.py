#!/usr/bin/env python3
"""Independent reference fixtures for @specvae/dsp-wasm (librosa 0.10 semantics).

Regenerate (from the repository root; numpy + scipy only, a few seconds):

    python3 packages/dsp-wasm/scripts/make_fixtures.py

librosa itself is not a dependency: the functions below re-implement the parts
of librosa 0.10 that the package mirrors, in float64, with one small function
per librosa function (get_window/pad_center, frame, stft, istft,
window_sumsquare, griffinlim, amplitude_to_db/power_to_db, db_to_amplitude/
db_to_power, resample(res_type='polyphase'), load). Everything is
deterministic: synthetic inputs come from fixed formulas or
numpy.random.default_rng with fixed seeds, real inputs are the three FSDD
clips in test/fixtures/fsdd/ (copied there from $FSDD_DIR, default
/work/shared/fsdd, if missing).

Output: packages/dsp-wasm/test/fixtures/{rfft,stft,istft,griffinlim,db,resample}.json

File format
-----------
    { "generator": "scripts/make_fixtures.py",
      "cases": [ { "name": str, "params": {...},
                   "arrays": { key: { "dtype": "float32" | "float64",
                                      "shape": [...],
                                      "b64": base64 of the little-endian,
                                             row-major (C order) bytes } } } ] }

Conventions
-----------
* Complex arrays are stored as two real arrays, `<name>_re`/`<name>_im`, or
  just `re`/`im`.
* Spectrograms have shape [n_bins, n_frames] (bin-major, row-major), exactly
  like librosa's S[f, t]: element (f, t) is at flat index f * n_frames + t.
* Every stored expected output is computed in float64 from the *stored*
  inputs: inputs that are stored as float32 are first rounded to float32 and
  the reference is computed from those exact values. So a float32
  implementation fed the stored input should match to float32 accuracy, with
  no error contributed by the fixture itself.

Fixtures (case names; params of each case are in the JSON)
--------
rfft.json
    rfft/n{N}, N = 16, 32, ..., 8192: x = uniform[-1, 1) (seed 1000 + N,
        stored float32) and numpy.fft.rfft(x) as `re`/`im` (float64).
        params.parseval_rel_err and params.irfft_roundtrip_max_abs_err are the
        python-side checks.
    irfft/n{N}, N = 16, ..., 1024: a standard-normal half spectrum `re`/`im`
        (float64; imag of DC and Nyquist set to 0) and numpy.fft.irfft(X, N)
        as `y` (float64).
    irfft/discards_dc_nyquist_imag: N = 16 with nonzero imag at DC and
        Nyquist: numpy.fft.irfft (hence librosa.istft) ignores them.
stft.json
    librosa.stft(y, n_fft, hop_length, win_length, window='hann', center,
    pad_mode) of float32 input `y` -> `re`, `im` [1 + n_fft//2, n_frames]
    (float32). params: sr, n_fft, hop_length, win_length, center, pad_mode,
    n_samples, n_bins, n_frames, max_abs, source.
    orig/0_george_0.wav, orig/9_theo_16.wav: the original experiment's
        geometry: y = load(clip, sr=22050, duration=0.74) zero-padded to
        16,317 samples; n_fft 512, hop 256, win 512, center, constant
        padding -> 257 x 64.
    native/0_george_0.wav, native/7_jackson_32.wav: the clip at 8 kHz as read
        (int16 / 32768), n_fft 256, hop 64, win 256.
    native_win200/0_george_0.wav: same with win_length 200 < n_fft.
    synth8k/{chirp,clicks,silence,noise}: 8 kHz, n_fft 256, hop 64, 2000
        samples (silence: 400).
    synth22k/{chirp,clicks,silence,noise}: 22,050 Hz, n_fft 512, hop 256,
        3308 samples (silence: 1102).
        chirp = 0.5 * linear chirp 50 Hz -> 3.9 kHz; clicks = unit impulses at
        0, 1000, 2000, ...; silence = zeros; noise = uniform[-1, 1), seed = sr.
    reflect/noise8k, reflect/chirp22k: pad_mode='reflect' (numpy reflect).
    nocenter/noise8k, nocenter/chirp22k: center=False.
    short/noise100_nfft256: 100 samples < n_fft (librosa warns, computes).
    odd_hop/chirp8k_hop100: hop 100 (does not divide n_fft), 1999 samples.
istft.json
    librosa.istft(S, hop_length, win_length, n_fft, window='hann', center,
    length) of a float32 spectrum `re`/`im` -> `y`. Round-trip cases also
    store the signal `x` the spectrum came from (except the big one) and
    params.roundtrip_max_abs_err (python, float64, over
    roundtrip_compared_samples).
    roundtrip_orig/0_george_0.wav: 257 x 64 from the original geometry,
        length=16317, `y` float32.
    roundtrip_natural/noise8k (length=None -> hop * (n_frames - 1) = 960),
    length_shorter/noise8k (700), length_longer/noise8k (1200: zeros past
    sample 1088), length_exact/noise8k (1000): same 129 x 16 spectrum.
    roundtrip_win200/chirp8k: win_length 200 < n_fft 256.
    nocenter/noise8k: center=False (y[0] = 0: window sum 0 there).
    roundtrip/clicks8k: impulses.
    random_spectrum/129x16: an inconsistent spectrum (normal re/im, with
        nonzero imag at DC and Nyquist, which irfft ignores).
griffinlim.json
    librosa.griffinlim(S, n_iter=32, momentum, init=None (zero phase),
    length=16317, n_fft 512, hop 256, win 512, center, pad_mode 'constant')
    of float32 magnitude `S` [257, 64]. Stores the output `y` (float32),
    the per-iteration spectral convergence `sc_per_iter` (float64;
    ||abs(rebuilt_i) - S||_F / ||S||_F with rebuilt_i = stft(istft(S *
    angles)) at iteration i), and in params sc_final (the same measure for
    stft(y)), sc_final_of_stored_float32_y, and float32_emulation (the same
    run with all arithmetic in float32/complex64, as librosa does for float32
    input: how far a float32 implementation can legitimately drift).
    fastgl/0_george_0.wav, fastgl/7_jackson_32.wav, fastgl/chirp22k:
        momentum 0.99. classicgl/0_george_0.wav: momentum 0.
db.json
    amplitude_to_db(S, ref, amin, top_db), computed as librosa does (via
    power_to_db(S**2, ref**2, amin**2, top_db)), `S` float32 -> `db`
    float64; db_to_amplitude(x, ref), `x` float32 -> `amp` float64.
    amplitude_to_db/orig_0_george_0.wav: |stft| of the original geometry,
        ref 1, amin 1e-5, top_db 80 (the original pipeline's dB step).
    amplitude_to_db/edges_{ref1_top80, ref1_topnone, refmax_top80,
        refmax_topnone, ref2p5_top120}: 16 x 32 input with edge values (0,
        around amin, 1, large) then log-uniform 1e-8..1e3.
    amplitude_to_db/narrow_range_top80: 40 dB of range, so no clipping.
    db_to_amplitude/ref1, db_to_amplitude/ref0.5: -200..40 dB.
resample.json
    scipy.signal.resample_poly(x, up, down) with its defaults (window
    ('kaiser', 5.0), padtype 'constant'), which is librosa.resample(...,
    res_type='polyphase') (output length ceil(n * up / down) in both).
    `x` float32 in, `y` float64 out (float32 for the load case), plus the
    filter scipy designs internally, `taps` (float64; firwin(2 * half_len + 1,
    1 / max_rate, window=('kaiser', 5.0)) * up, half_len = 10 * max_rate;
    stored once per filter, params.taps_from names the case holding them
    otherwise), and the filter's measured response in params.filter.
    8000_to_22050/0_george_0.wav, 22050_to_8000/chirp (50 Hz -> 10 kHz),
    48000_to_8000/chirp (-> 21.6 kHz), 44100_to_8000/chirp (-> 19.845 kHz).
    load/9_theo_16.wav: librosa.load(clip, sr=22050, duration=0.74,
        res_type='polyphase') zero-padded/fixed to 16,317 samples: `x` is the
        first int(0.74 * 8000) = 5920 samples (librosa cuts at the native rate,
        then resamples); `y` is the input of stft.json's orig/9_theo_16.wav.
"""

from __future__ import annotations

import base64
import json
import math
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import scipy.io.wavfile
import scipy.signal

PKG_DIR = Path(__file__).resolve().parents[1]
FIXTURE_DIR = PKG_DIR / "test" / "fixtures"
CLIP_DIR = FIXTURE_DIR / "fsdd"
FSDD_DIR = Path(os.environ.get("FSDD_DIR", "/work/shared/fsdd"))
GENERATOR = "scripts/make_fixtures.py"

# The three real clips. 9_theo_16.wav is the longest file of FSDD v1.0.10
# (18,262 samples = 2.28 s; found by reading every file's frame count).
CLIP_GEORGE = "0_george_0.wav"
CLIP_JACKSON = "7_jackson_32.wav"
CLIP_LONGEST = "9_theo_16.wav"
CLIPS = (CLIP_GEORGE, CLIP_JACKSON, CLIP_LONGEST)

# The original experiment's geometry.
ORIG_SR = 22050
ORIG_DURATION = 0.74
ORIG_LEN = 16317
ORIG_NFFT = 512
ORIG_HOP = 256


# --------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------

def enc(a: np.ndarray, dtype: str) -> dict[str, Any]:
    """Encode an array as {dtype, shape, b64} (little-endian, C order)."""
    np_dtype = {"float32": "<f4", "float64": "<f8"}[dtype]
    a = np.ascontiguousarray(np.asarray(a), dtype=np_dtype)
    if not np.all(np.isfinite(a)):
        raise ValueError("non-finite value in fixture array")
    return {
        "dtype": dtype,
        "shape": [int(s) for s in a.shape],
        "b64": base64.b64encode(a.tobytes()).decode("ascii"),
    }


def f32(x: np.ndarray) -> np.ndarray:
    """Round to float32 and come back to float64 (the exact stored values)."""
    return np.asarray(x, dtype=np.float64).astype(np.float32).astype(np.float64)


def case(name: str, params: dict[str, Any], arrays: dict[str, tuple[np.ndarray, str]]) -> dict[str, Any]:
    return {
        "name": name,
        "params": params,
        "arrays": {k: enc(a, dt) for k, (a, dt) in arrays.items()},
    }


def write_fixture(filename: str, cases: list[dict[str, Any]]) -> int:
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), f"duplicate case names in {filename}"
    text = json.dumps({"generator": GENERATOR, "cases": cases}, allow_nan=False, separators=(",", ":"))
    path = FIXTURE_DIR / filename
    path.write_text(text + "\n", encoding="utf-8")
    return path.stat().st_size


# --------------------------------------------------------------------------
# librosa.util
# --------------------------------------------------------------------------

def tiny(x: np.ndarray) -> float:
    """librosa.util.tiny: smallest positive normal of x's (real) dtype."""
    dt = np.asarray(x).dtype
    if np.issubdtype(dt, np.complexfloating):
        dt = np.finfo(dt).dtype
    return float(np.finfo(dt).tiny)


def pad_center(data: np.ndarray, size: int) -> np.ndarray:
    """librosa.util.pad_center: zero-pad symmetrically (extra zero on the right)."""
    n = data.shape[-1]
    lpad = (size - n) // 2
    if lpad < 0:
        raise ValueError("target size smaller than data")
    return np.pad(data, (lpad, size - n - lpad), mode="constant")


def fix_length(x: np.ndarray, size: int) -> np.ndarray:
    """librosa.util.fix_length: trim or right-pad with zeros to `size`."""
    if x.shape[-1] >= size:
        return x[..., :size]
    return np.pad(x, (0, size - x.shape[-1]), mode="constant")


def frame(y: np.ndarray, frame_length: int, hop_length: int) -> np.ndarray:
    """librosa.util.frame: [frame_length, n_frames] view of y."""
    n_frames = 1 + (y.shape[-1] - frame_length) // hop_length
    idx = np.arange(frame_length)[:, None] + hop_length * np.arange(n_frames)[None, :]
    return y[idx]


# --------------------------------------------------------------------------
# librosa.filters.get_window (hann, periodic) / window_sumsquare
# --------------------------------------------------------------------------

def get_window_hann(win_length: int) -> np.ndarray:
    """Periodic ('fftbins=True') Hann: 0.5 - 0.5 cos(2 pi n / win_length)."""
    w = scipy.signal.get_window("hann", win_length, fftbins=True)
    return np.asarray(w, dtype=np.float64)


def stft_window(n_fft: int, win_length: int) -> np.ndarray:
    return pad_center(get_window_hann(win_length), n_fft)


def window_sumsquare(n_frames: int, hop_length: int, win_length: int, n_fft: int, dtype=np.float64) -> np.ndarray:
    """librosa.filters.window_sumsquare(window='hann', norm=None)."""
    n = n_fft + hop_length * (n_frames - 1)
    x = np.zeros(n, dtype=dtype)
    win_sq = pad_center(get_window_hann(win_length).astype(dtype) ** 2, n_fft)
    for i in range(n_frames):
        s = i * hop_length
        x[s : min(n, s + n_fft)] += win_sq[: max(0, min(n_fft, n - s))]
    return x


# --------------------------------------------------------------------------
# librosa.stft / librosa.istft
# --------------------------------------------------------------------------

def stft(y: np.ndarray, n_fft: int, hop_length: int, win_length: int | None = None,
         center: bool = True, pad_mode: str = "constant", dtype=np.float64) -> np.ndarray:
    """librosa.stft: [1 + n_fft//2, n_frames] complex.

    librosa 0.10 pads the head and tail separately to avoid copying the whole
    signal; for 'constant' padding that is identical to padding the whole
    signal, which is what this does.
    """
    win_length = n_fft if win_length is None else win_length
    window = stft_window(n_fft, win_length).astype(dtype)
    y = np.asarray(y, dtype=dtype)
    if center:
        y = np.pad(y, (n_fft // 2, n_fft // 2), mode=pad_mode)
    elif y.shape[-1] < n_fft:
        raise ValueError("n_fft > len(y) with center=False")
    frames = frame(y, n_fft, hop_length)
    return np.fft.rfft(window[:, None] * frames, axis=0)


def istft(S: np.ndarray, hop_length: int, win_length: int | None = None, n_fft: int | None = None,
          center: bool = True, length: int | None = None, dtype=np.float64) -> np.ndarray:
    """librosa.istft (window='hann')."""
    n_fft = 2 * (S.shape[0] - 1) if n_fft is None else n_fft
    win_length = n_fft if win_length is None else win_length
    window = stft_window(n_fft, win_length).astype(dtype)

    n_frames = S.shape[1]
    if length:
        padded_length = length + 2 * (n_fft // 2) if center else length
        n_frames = min(n_frames, int(math.ceil(padded_length / hop_length)))

    ytmp = np.fft.irfft(S[:, :n_frames], n=n_fft, axis=0) * window[:, None]
    y = np.zeros(n_fft + hop_length * (n_frames - 1), dtype=dtype)
    for t in range(n_frames):
        y[t * hop_length : t * hop_length + n_fft] += ytmp[:, t]
    wss = window_sumsquare(n_frames, hop_length, win_length, n_fft, dtype=dtype)

    start = n_fft // 2 if center else 0
    if length:
        out_len = length
    else:
        out_len = y.shape[0] - (2 * (n_fft // 2) if center else 0)
    y = fix_length(y[start:], out_len).copy()
    wss = fix_length(wss[start:], out_len)
    nz = wss > tiny(wss)
    y[nz] /= wss[nz]
    return y


# --------------------------------------------------------------------------
# librosa.griffinlim
# --------------------------------------------------------------------------

def spectral_convergence(X: np.ndarray, S: np.ndarray) -> float:
    S64 = np.asarray(S, dtype=np.float64)
    return float(np.linalg.norm(np.abs(X).astype(np.float64) - S64) / np.linalg.norm(S64))


def griffinlim(S: np.ndarray, n_iter: int, hop_length: int, win_length: int, n_fft: int,
               center: bool = True, length: int | None = None, pad_mode: str = "constant",
               momentum: float = 0.99, dtype=np.float64) -> tuple[np.ndarray, list[float]]:
    """librosa.griffinlim(init=None): zero initial phase, 'fast GL' momentum.

    Returns the output signal and the spectral convergence of `rebuilt` at each
    iteration.
    """
    cdtype = np.complex64 if dtype == np.float32 else np.complex128
    S = np.asarray(S, dtype=dtype)
    angles = np.ones(S.shape, dtype=cdtype) * S
    eps = tiny(angles)
    tprev = None
    sc: list[float] = []
    for _ in range(n_iter):
        inverse = istft(angles, hop_length, win_length, n_fft, center, length, dtype=dtype)
        rebuilt = stft(inverse, n_fft, hop_length, win_length, center, pad_mode, dtype=dtype)
        sc.append(spectral_convergence(rebuilt, S))
        angles = rebuilt.copy()
        if tprev is not None:
            angles -= (momentum / (1 + momentum)) * tprev
        angles /= np.abs(angles) + eps
        angles *= S
        tprev = rebuilt
    return istft(angles, hop_length, win_length, n_fft, center, length, dtype=dtype), sc


# --------------------------------------------------------------------------
# librosa.amplitude_to_db / power_to_db / db_to_amplitude / db_to_power
# --------------------------------------------------------------------------

def power_to_db(S: np.ndarray, ref: float | Callable = 1.0, amin: float = 1e-10,
                top_db: float | None = 80.0) -> np.ndarray:
    magnitude = np.asarray(S, dtype=np.float64)
    ref_value = ref(magnitude) if callable(ref) else abs(ref)
    log_spec = 10.0 * np.log10(np.maximum(amin, magnitude))
    log_spec -= 10.0 * np.log10(np.maximum(amin, ref_value))
    if top_db is not None:
        log_spec = np.maximum(log_spec, log_spec.max() - top_db)
    return log_spec


def amplitude_to_db(S: np.ndarray, ref: float | Callable = 1.0, amin: float = 1e-5,
                    top_db: float | None = 80.0) -> np.ndarray:
    magnitude = np.abs(np.asarray(S, dtype=np.float64))
    ref_value = ref(magnitude) if callable(ref) else abs(ref)
    return power_to_db(np.square(magnitude), ref=ref_value**2, amin=amin**2, top_db=top_db)


def db_to_power(S_db: np.ndarray, ref: float = 1.0) -> np.ndarray:
    return ref * np.power(10.0, 0.1 * np.asarray(S_db, dtype=np.float64))


def db_to_amplitude(S_db: np.ndarray, ref: float = 1.0) -> np.ndarray:
    return db_to_power(S_db, ref=ref**2) ** 0.5


# --------------------------------------------------------------------------
# librosa.resample(res_type='polyphase') / librosa.load
# --------------------------------------------------------------------------

def resample(y: np.ndarray, orig_sr: int, target_sr: int) -> np.ndarray:
    """librosa.resample(res_type='polyphase', fix=True, scale=False)."""
    n_samples = int(math.ceil(y.shape[-1] * target_sr / orig_sr))
    g = math.gcd(orig_sr, target_sr)
    y_hat = scipy.signal.resample_poly(np.asarray(y, dtype=np.float64), target_sr // g, orig_sr // g)
    return fix_length(y_hat, n_samples)


def read_wav(name: str) -> tuple[int, np.ndarray]:
    """Read a 16-bit PCM wav as float64 in [-1, 1): int16 / 32768 (soundfile's scaling)."""
    sr, pcm = scipy.io.wavfile.read(CLIP_DIR / name)
    assert pcm.dtype == np.int16 and pcm.ndim == 1
    return int(sr), pcm.astype(np.float64) / 32768.0


def load(name: str, sr: int | None, duration: float | None = None) -> np.ndarray:
    """librosa.load(path, sr, duration, res_type='polyphase').

    librosa reads int(duration * sr_native) samples at the file's native rate
    and resamples afterwards (it does not resample first and then cut).
    """
    sr_native, y = read_wav(name)
    if duration is not None:
        y = y[: int(duration * sr_native)]
    if sr is not None and sr != sr_native:
        y = resample(y, sr_native, sr)
    return y


def load_original(name: str) -> np.ndarray:
    """The original experiment's input: 22,050 Hz, <= 0.74 s, zero-padded to 16,317."""
    return fix_length(load(name, ORIG_SR, ORIG_DURATION), ORIG_LEN)


# --------------------------------------------------------------------------
# Synthetic signals
# --------------------------------------------------------------------------

def synth_chirp(sr: int, n: int, f0: float = 50.0, f1: float = 3900.0, amp: float = 0.5) -> np.ndarray:
    """Linear chirp amp * cos(2 pi (f0 t + (f1 - f0) t^2 / (2 T))), t = i / sr, T = n / sr."""
    t = np.arange(n) / sr
    T = n / sr
    return amp * np.cos(2.0 * np.pi * (f0 * t + 0.5 * (f1 - f0) * t * t / T))


def synth_clicks(n: int, period: int = 1000) -> np.ndarray:
    """Unit impulses at 0, period, 2 * period, ..."""
    x = np.zeros(n)
    x[::period] = 1.0
    return x


def synth_silence(n: int) -> np.ndarray:
    return np.zeros(n)


def synth_noise(n: int, seed: int) -> np.ndarray:
    """Full-scale uniform noise in [-1, 1)."""
    return np.random.default_rng(seed).uniform(-1.0, 1.0, n)


# --------------------------------------------------------------------------
# Fixture groups
# --------------------------------------------------------------------------

def make_rfft() -> list[dict[str, Any]]:
    cases = []
    for k in range(4, 14):
        n = 2**k
        x = f32(np.random.default_rng(1000 + n).uniform(-1.0, 1.0, n))
        X = np.fft.rfft(x)
        power_spec = np.abs(X) ** 2
        parseval = (power_spec[0] + 2 * power_spec[1:-1].sum() + power_spec[-1]) / n
        parseval_err = abs(parseval - np.sum(x * x)) / np.sum(x * x)
        rt = np.fft.irfft(X, n=n)
        cases.append(case(f"rfft/n{n}", {
            "n": n, "seed": 1000 + n, "input": "uniform[-1,1) float32",
            "parseval_rel_err": float(parseval_err),
            "irfft_roundtrip_max_abs_err": float(np.max(np.abs(rt - x))),
        }, {"x": (x, "float32"), "re": (X.real, "float64"), "im": (X.imag, "float64")}))
    for k in range(4, 11):
        n = 2**k
        rng = np.random.default_rng(2000 + n)
        re = rng.standard_normal(n // 2 + 1)
        im = rng.standard_normal(n // 2 + 1)
        im[0] = 0.0
        im[-1] = 0.0
        y = np.fft.irfft(re + 1j * im, n=n)
        cases.append(case(f"irfft/n{n}", {"n": n, "seed": 2000 + n, "input": "standard normal half spectrum, imag(DC) = imag(Nyquist) = 0"},
                          {"re": (re, "float64"), "im": (im, "float64"), "y": (y, "float64")}))
    n = 16
    rng = np.random.default_rng(3000)
    re = rng.standard_normal(n // 2 + 1)
    im = rng.standard_normal(n // 2 + 1)
    y = np.fft.irfft(re + 1j * im, n=n)
    im0 = im.copy()
    im0[0] = 0.0
    im0[-1] = 0.0
    assert np.allclose(y, np.fft.irfft(re + 1j * im0, n=n), rtol=0, atol=1e-15)
    cases.append(case("irfft/discards_dc_nyquist_imag", {
        "n": n, "seed": 3000,
        "note": "imag(DC) and imag(Nyquist) are nonzero; numpy.fft.irfft (and so librosa.istft) ignores them",
    }, {"re": (re, "float64"), "im": (im, "float64"), "y": (y, "float64")}))
    return cases


def stft_case(name: str, y: np.ndarray, sr: int, n_fft: int, hop: int, win: int | None = None,
              center: bool = True, pad_mode: str = "constant", source: str = "",
              extra: dict[str, Any] | None = None) -> dict[str, Any]:
    y = f32(y)
    win = n_fft if win is None else win
    S = stft(y, n_fft, hop, win, center, pad_mode)
    params: dict[str, Any] = {
        "sr": sr, "n_fft": n_fft, "hop_length": hop, "win_length": win, "window": "hann",
        "center": center, "pad_mode": pad_mode, "n_samples": int(y.shape[0]),
        "n_bins": int(S.shape[0]), "n_frames": int(S.shape[1]), "source": source,
        "max_abs": float(np.max(np.abs(S))),
    }
    if extra:
        params.update(extra)
    return case(name, params, {"y": (y, "float32"), "re": (S.real, "float32"), "im": (S.imag, "float32")})


def make_stft() -> list[dict[str, Any]]:
    cases = []
    for clip in (CLIP_GEORGE, CLIP_LONGEST):
        cases.append(stft_case(f"orig/{clip}", load_original(clip), ORIG_SR, ORIG_NFFT, ORIG_HOP,
                               source=f"load_original('{clip}'): librosa.load(sr=22050, duration=0.74, res_type='polyphase'), zero-padded to 16317"))
    for clip in (CLIP_GEORGE, CLIP_JACKSON):
        sr, y = read_wav(clip)
        cases.append(stft_case(f"native/{clip}", y, sr, 256, 64, source=f"{clip} at 8 kHz, int16 / 32768"))
    sr, y = read_wav(CLIP_GEORGE)
    cases.append(stft_case(f"native_win200/{CLIP_GEORGE}", y, sr, 256, 64, win=200,
                           source=f"{CLIP_GEORGE} at 8 kHz; window = periodic hann(200) zero-padded centred to 256 (28 zeros left, 28 right)"))

    for tag, sr, n_fft, hop, dur in (("synth8k", 8000, 256, 64, 0.25), ("synth22k", 22050, 512, 256, 0.15)):
        n = int(round(sr * dur))
        sigs = {
            "chirp": (synth_chirp(sr, n), "0.5 * linear chirp 50 Hz -> 3900 Hz"),
            "clicks": (synth_clicks(n), "unit impulses every 1000 samples from index 0"),
            "silence": (synth_silence(int(round(sr * 0.05))), "zeros"),
            "noise": (synth_noise(n, seed=sr), f"uniform[-1,1), seed {sr}"),
        }
        for sname, (y, desc) in sigs.items():
            cases.append(stft_case(f"{tag}/{sname}", y, sr, n_fft, hop, source=desc))

    n8 = 2000
    cases.append(stft_case("reflect/noise8k", synth_noise(n8, seed=8001), 8000, 256, 64, pad_mode="reflect",
                           source="uniform[-1,1), seed 8001; numpy 'reflect' padding (edge sample not repeated)"))
    cases.append(stft_case("reflect/chirp22k", synth_chirp(22050, 5513) + 0.25, 22050, 512, 256, pad_mode="reflect",
                           source="0.5 * linear chirp 50 Hz -> 3900 Hz, plus DC offset 0.25 (so edges are nonzero)"))
    cases.append(stft_case("nocenter/noise8k", synth_noise(n8, seed=8002), 8000, 256, 64, center=False,
                           source="uniform[-1,1), seed 8002; center=False: frame t = y[t*hop : t*hop + n_fft]"))
    cases.append(stft_case("nocenter/chirp22k", synth_chirp(22050, 5513), 22050, 512, 256, center=False,
                           source="0.5 * linear chirp 50 Hz -> 3900 Hz, center=False"))
    cases.append(stft_case("short/noise100_nfft256", synth_noise(100, seed=8003), 8000, 256, 64,
                           source="100 samples < n_fft, center=True, constant padding (librosa warns, returns 1 + 100 // 64 = 2 frames)"))
    cases.append(stft_case("odd_hop/chirp8k_hop100", synth_chirp(8000, 1999), 8000, 256, 100,
                           source="hop that does not divide n_fft; odd length 1999"))
    return cases


def istft_case(name: str, S: np.ndarray, hop: int, win: int | None, n_fft: int, center: bool,
               length: int | None, x: np.ndarray | None, source: str, y_dtype: str = "float64",
               store_x: bool = True) -> dict[str, Any]:
    re = f32(S.real)
    im = f32(S.imag)
    Sq = re + 1j * im
    y = istft(Sq, hop, win, n_fft, center, length)
    win = n_fft if win is None else win
    natural = n_fft + hop * (S.shape[1] - 1) - (2 * (n_fft // 2) if center else 0)
    params: dict[str, Any] = {
        "n_fft": n_fft, "hop_length": hop, "win_length": win, "window": "hann", "center": center,
        "length": length, "natural_length": natural, "n_bins": int(S.shape[0]), "n_frames": int(S.shape[1]),
        "n_out": int(y.shape[0]), "source": source,
    }
    arrays: dict[str, tuple[np.ndarray, str]] = {"re": (re, "float32"), "im": (im, "float32"), "y": (y, y_dtype)}
    if x is not None:
        m = min(len(x), len(y))
        params["roundtrip_max_abs_err"] = float(np.max(np.abs(y[:m] - x[:m])))
        params["roundtrip_compared_samples"] = m
        if m > 2 * n_fft:
            # Away from the ends, where the window sum is small (or 0) and amplifies rounding.
            params["roundtrip_max_abs_err_interior"] = float(np.max(np.abs(y[n_fft : m - n_fft] - x[n_fft : m - n_fft])))
        if store_x:
            arrays["x"] = (x, "float32")
    return case(name, params, arrays)


def make_istft() -> list[dict[str, Any]]:
    cases = []
    x = f32(load_original(CLIP_GEORGE))
    S = stft(x, ORIG_NFFT, ORIG_HOP)
    cases.append(istft_case(f"roundtrip_orig/{CLIP_GEORGE}", S, ORIG_HOP, None, ORIG_NFFT, True, ORIG_LEN, x,
                            "x = load_original(clip); S = stft(x, 512, 256); y = istft(S, length=16317) ~= x",
                            y_dtype="float32", store_x=False))

    x = f32(synth_noise(1000, seed=9001))
    S = stft(x, 256, 64)
    cases.append(istft_case("roundtrip_natural/noise8k", S, 64, None, 256, True, None, x,
                            "length=None: output has hop*(n_frames-1) = 960 samples, the last 40 input samples are lost"))
    cases.append(istft_case("length_shorter/noise8k", S, 64, None, 256, True, 700, x,
                            "length=700 < natural: only the first ceil((700+256)/64) = 15 of 16 frames are used"))
    cases.append(istft_case("length_longer/noise8k", S, 64, None, 256, True, 1200, x,
                            "length=1200 > natural 960: samples from n_fft//2 + hop*(n_frames-1) = 1088 on are zeros (window sum 0, left undivided)"))
    cases.append(istft_case("length_exact/noise8k", S, 64, None, 256, True, 1000, x,
                            "length=1000 = len(x): exact round trip"))

    x = f32(synth_chirp(8000, 2000))
    S = stft(x, 256, 64, 200)
    cases.append(istft_case("roundtrip_win200/chirp8k", S, 64, 200, 256, True, 2000, x,
                            "win_length=200 < n_fft=256 (window zero-padded centred)"))

    x = f32(synth_noise(2000, seed=9002))
    S = stft(x, 256, 64, center=False)
    cases.append(istft_case("nocenter/noise8k", S, 64, None, 256, False, None, x,
                            "center=False: y[0] = 0 because the window sum there is exactly 0 (left undivided); tail beyond the last full frame is lost"))

    x = f32(synth_clicks(3000))
    S = stft(x, 256, 64)
    cases.append(istft_case("roundtrip/clicks8k", S, 64, None, 256, True, 3000, x,
                            "impulses at 0, 1000, 2000"))

    rng = np.random.default_rng(9003)
    S = rng.standard_normal((129, 16)) + 1j * rng.standard_normal((129, 16))
    cases.append(istft_case("random_spectrum/129x16", S, 64, None, 256, True, None, None,
                            "not a consistent STFT (standard normal re/im, including nonzero imag at DC and Nyquist, which irfft ignores)"))
    return cases


def gl_case(name: str, x: np.ndarray, sr: int, n_fft: int, hop: int, momentum: float, length: int,
            source: str, n_iter: int = 32) -> dict[str, Any]:
    x = f32(x)
    S = f32(np.abs(stft(x, n_fft, hop)))
    y, sc = griffinlim(S, n_iter, hop, n_fft, n_fft, True, length, "constant", momentum)
    sc_final = spectral_convergence(stft(y, n_fft, hop), S)
    sc_final_f32store = spectral_convergence(stft(f32(y), n_fft, hop), S)

    y32, sc32 = griffinlim(S.astype(np.float32), n_iter, hop, n_fft, n_fft, True, length, "constant",
                           momentum, dtype=np.float32)
    y32 = y32.astype(np.float64)
    params: dict[str, Any] = {
        "sr": sr, "n_fft": n_fft, "hop_length": hop, "win_length": n_fft, "window": "hann", "center": True,
        "pad_mode": "constant", "n_iter": n_iter, "momentum": momentum, "init": None, "length": length,
        "n_bins": int(S.shape[0]), "n_frames": int(S.shape[1]), "source": source,
        "sc_first": sc[0], "sc_last_iter": sc[-1], "sc_final": sc_final,
        "sc_final_of_stored_float32_y": sc_final_f32store,
        "sc_true_phase": 0.0,
        "float32_emulation": {
            "note": "same algorithm with float32 signals and complex64 spectra (numpy 2 float32 FFT)",
            "sc_per_iter": sc32,
            "sc_final": spectral_convergence(stft(y32, n_fft, hop), S),
            "max_abs_diff_y": float(np.max(np.abs(y32 - y))),
            "rel_l2_diff_y": float(np.linalg.norm(y32 - y) / np.linalg.norm(y)),
        },
    }
    return case(name, params, {"S": (S, "float32"), "y": (y, "float32"), "sc_per_iter": (np.array(sc), "float64")})


def make_griffinlim() -> list[dict[str, Any]]:
    cases = []
    for clip in (CLIP_GEORGE, CLIP_JACKSON):
        cases.append(gl_case(f"fastgl/{clip}", load_original(clip), ORIG_SR, ORIG_NFFT, ORIG_HOP, 0.99, ORIG_LEN,
                             f"S = |stft(load_original('{clip}'))| (257 x 64)"))
    cases.append(gl_case("fastgl/chirp22k", synth_chirp(ORIG_SR, ORIG_LEN), ORIG_SR, ORIG_NFFT, ORIG_HOP, 0.99, ORIG_LEN,
                         "S = |stft(0.5 * linear chirp 50 -> 3900 Hz, 16317 samples at 22050 Hz)|"))
    cases.append(gl_case(f"classicgl/{CLIP_GEORGE}", load_original(CLIP_GEORGE), ORIG_SR, ORIG_NFFT, ORIG_HOP, 0.0, ORIG_LEN,
                         f"momentum 0 (classic Griffin-Lim); S = |stft(load_original('{CLIP_GEORGE}'))|"))
    return cases


def make_db() -> list[dict[str, Any]]:
    cases = []
    x = f32(load_original(CLIP_GEORGE))
    S = f32(np.abs(stft(x, ORIG_NFFT, ORIG_HOP)))
    db = amplitude_to_db(S, ref=1.0, amin=1e-5, top_db=80.0)
    raw = amplitude_to_db(S, ref=1.0, amin=1e-5, top_db=None)
    cases.append(case(f"amplitude_to_db/orig_{CLIP_GEORGE}", {
        "ref": 1.0, "ref_value": 1.0, "amin": 1e-5, "top_db": 80.0,
        "source": f"S = |stft(load_original('{CLIP_GEORGE}'), 512, 256)| (257 x 64), the original pipeline's dB step",
        "max_db": float(db.max()), "min_db": float(db.min()),
        "n_clipped": int(np.sum(raw < raw.max() - 80.0)), "n_zero_input": int(np.sum(S == 0)),
    }, {"S": (S, "float32"), "db": (db, "float64")}))

    # Small synthetic input with edge values: 0, below/at/above amin, 1, large.
    edges = np.array([0.0, 1e-12, 1e-6, 9.999999e-6, 1e-5, 1.00001e-5, 1e-4, 1e-3, 0.1, 0.5, 1.0, 2.0, 10.0,
                      1000.0, 12345.678, 1e6])
    rng = np.random.default_rng(4000)
    logu = 10.0 ** rng.uniform(-8.0, 3.0, 16 * 32 - edges.size)
    E = f32(np.concatenate([edges, logu]).reshape(16, 32))
    for name, ref, ref_desc, top_db in (
        ("amplitude_to_db/edges_ref1_top80", 1.0, 1.0, 80.0),
        ("amplitude_to_db/edges_ref1_topnone", 1.0, 1.0, None),
        ("amplitude_to_db/edges_refmax_top80", np.max, "max", 80.0),
        ("amplitude_to_db/edges_refmax_topnone", np.max, "max", None),
        ("amplitude_to_db/edges_ref2p5_top120", 2.5, 2.5, 120.0),
    ):
        ref_value = float(np.max(E)) if callable(ref) else float(ref)
        db = amplitude_to_db(E, ref=ref, amin=1e-5, top_db=top_db)
        cases.append(case(name, {"ref": ref_desc, "ref_value": ref_value, "amin": 1e-5, "top_db": top_db,
                                 "source": "edge values (0, around amin, 1, large) then log-uniform 1e-8..1e3, seed 4000, shape 16 x 32"},
                          {"S": (E, "float32"), "db": (db, "float64")}))
    # top_db that does not bite: dynamic range < 80 dB.
    M = f32(10.0 ** rng.uniform(-1.0, 1.0, (8, 16)))
    cases.append(case("amplitude_to_db/narrow_range_top80", {"ref": 1.0, "ref_value": 1.0, "amin": 1e-5, "top_db": 80.0,
                                                             "source": "log-uniform 0.1..10 (40 dB range), top_db does not clip"},
                      {"S": (M, "float32"), "db": (amplitude_to_db(M, top_db=80.0), "float64")}))

    xdb = f32(np.concatenate([np.array([-200.0, -120.0, -100.0, -80.0, -6.0205999, 0.0, 6.0205999, 20.0, 40.0]),
                              rng.uniform(-120.0, 40.0, 247)]))
    for ref in (1.0, 0.5):
        cases.append(case(f"db_to_amplitude/ref{ref:g}", {"ref": ref, "source": "dB values -200..40, seed 4000 continued"},
                          {"x": (xdb, "float32"), "amp": (db_to_amplitude(xdb, ref=ref), "float64")}))
    return cases


def design_resample_poly_filter(up: int, down: int) -> tuple[np.ndarray, int, int, int]:
    """The FIR filter scipy.signal.resample_poly designs with window=('kaiser', 5.0)."""
    g = math.gcd(up, down)
    up //= g
    down //= g
    max_rate = max(up, down)
    half_len = 10 * max_rate
    h = scipy.signal.firwin(2 * half_len + 1, 1.0 / max_rate, window=("kaiser", 5.0)) * up
    return h, up, down, half_len


def filter_response(h: np.ndarray, up: int, orig_sr: int, new_sr: int) -> dict[str, Any]:
    """Measure the anti-aliasing/anti-imaging filter, which runs at orig_sr * up."""
    fs_hi = orig_sr * up
    cutoff = min(orig_sr, new_sr) / 2.0
    numtaps = h.size
    # Kaiser design relation: beta 5.0 <=> A = 5.0 / 0.1102 + 8.7 dB; transition width
    # (A - 7.95) / (2.285 * pi * (numtaps - 1)) in units of the Nyquist frequency.
    atten_design = 5.0 / 0.1102 + 8.7
    width_hz = (atten_design - 7.95) / (2.285 * np.pi * (numtaps - 1)) * (fs_hi / 2.0)
    f_pass = cutoff - width_hz / 2.0
    f_stop = cutoff + width_hz / 2.0
    w, H = scipy.signal.freqz(h / up, worN=2**22, fs=fs_hi)
    mag_db = 20.0 * np.log10(np.maximum(np.abs(H), 1e-300))
    pb = w <= f_pass
    sb = w >= f_stop

    def first_below(level_db: float) -> float:
        idx = np.nonzero(mag_db < level_db)[0]
        return float(w[idx[0]]) if idx.size else float("nan")

    def stays_below(level_db: float) -> float:
        above = np.nonzero(mag_db >= level_db)[0]
        return float(w[above[-1] + 1]) if above.size and above[-1] + 1 < w.size else float(w[0])

    bin_hz = float(w[1] - w[0])
    return {
        "numtaps": int(numtaps),
        "filter_rate_hz": int(fs_hi),
        "dc_gain": float(np.sum(h)),
        "dc_gain_over_up": float(np.sum(h) / up),
        "cutoff_hz": cutoff,
        "kaiser_beta": 5.0,
        "design_atten_db": atten_design,
        "transition_width_hz": float(width_hz),
        "passband_edge_hz": float(f_pass),
        "stopband_edge_hz": float(f_stop),
        "passband_ripple_db": float(np.max(np.abs(mag_db[pb]))),
        "passband_max_db": float(np.max(mag_db[pb])),
        "passband_min_db": float(np.min(mag_db[pb])),
        "stopband_atten_db": float(-np.max(mag_db[sb])),
        "gain_at_cutoff_db": float(np.interp(cutoff, w, mag_db)),
        "freq_minus_0p1db_hz": first_below(-0.1),
        "freq_minus_1db_hz": first_below(-1.0),
        "freq_minus_3db_hz": first_below(-3.0),
        "freq_minus_6db_hz": first_below(-6.0),
        "stays_below_minus_40db_from_hz": stays_below(-40.0),
        "stays_below_minus_50db_from_hz": stays_below(-50.0),
        "freqz_points": 2**22,
        "freqz_bin_hz": bin_hz,
    }


def resample_case(name: str, x: np.ndarray, orig_sr: int, new_sr: int, source: str,
                  y_dtype: str = "float64", extra: dict[str, Any] | None = None,
                  pad_to: int | None = None, taps_from: str | None = None) -> dict[str, Any]:
    x = f32(x)
    h, up, down, half_len = design_resample_poly_filter(new_sr, orig_sr)
    y = scipy.signal.resample_poly(x, up, down)
    # Cross-check the zero-phase polyphase formula y[m] = sum_n x[n] h[m*down - n*up + half_len].
    m = np.arange(y.size)
    direct = np.zeros(y.size)
    for n_i in range(x.size):
        k = m * down - n_i * up + half_len
        ok = (k >= 0) & (k < h.size)
        direct[ok] += x[n_i] * h[k[ok]]
    assert np.max(np.abs(direct - y)) < 1e-12, "resample_poly formula mismatch"
    assert np.array_equal(resample(x, orig_sr, new_sr), y)
    if pad_to is not None:
        y = fix_length(y, pad_to)
    params: dict[str, Any] = {
        "orig_sr": orig_sr, "target_sr": new_sr, "up": up, "down": down, "half_len": half_len,
        "window": ["kaiser", 5.0], "padtype": "constant", "n_in": int(x.size), "n_out": int(y.size),
        "source": source, "filter": filter_response(h, up, orig_sr, new_sr),
        "formula": "y[m] = sum_n x[n] * taps[m*down - n*up + half_len] (zero outside the taps)",
    }
    if extra:
        params.update(extra)
    arrays: dict[str, tuple[np.ndarray, str]] = {"x": (x, "float32"), "y": (y, y_dtype)}
    if taps_from is None:
        arrays["taps"] = (h, "float64")
    else:
        params["taps_from"] = taps_from  # identical filter; not stored twice
    return case(name, params, arrays)


def make_resample() -> list[dict[str, Any]]:
    cases = []
    sr, y = read_wav(CLIP_GEORGE)
    cases.append(resample_case(f"8000_to_22050/{CLIP_GEORGE}", y, sr, 22050, f"{CLIP_GEORGE}, int16 / 32768"))

    sr, y = read_wav(CLIP_LONGEST)
    n_keep = int(ORIG_DURATION * sr)
    cut_then_resample = fix_length(resample(f32(y[:n_keep]), sr, ORIG_SR), ORIG_LEN)
    resample_then_cut = fix_length(resample(f32(y), sr, ORIG_SR), ORIG_LEN)
    diff = np.abs(cut_then_resample - resample_then_cut)
    cases.append(resample_case(
        f"load/{CLIP_LONGEST}", y[:n_keep], sr, ORIG_SR,
        f"librosa.load('{CLIP_LONGEST}', sr=22050, duration=0.74, res_type='polyphase'): "
        f"x = first int(0.74 * 8000) = {n_keep} samples at 8 kHz, then resampled, then fixed to {ORIG_LEN}",
        y_dtype="float32", pad_to=ORIG_LEN, taps_from=f"8000_to_22050/{CLIP_GEORGE}",
        extra={
            "file_samples": int(y.size), "duration": ORIG_DURATION, "pad_to": ORIG_LEN,
            "vs_resample_then_cut": {
                "note": "resampling the whole file and then cutting to 16317 samples differs only near the cut",
                "max_abs_diff": float(diff.max()),
                "first_differing_sample": int(np.nonzero(diff > 1e-12)[0][0]) if np.any(diff > 1e-12) else -1,
            },
        }))

    sr = 22050
    cases.append(resample_case("22050_to_8000/chirp", synth_chirp(sr, 5513, 50.0, 10000.0), sr, 8000,
                               "0.5 * linear chirp 50 Hz -> 10 kHz (above the new Nyquist) at 22050 Hz, 0.25 s"))
    sr = 48000
    cases.append(resample_case("48000_to_8000/chirp", synth_chirp(sr, 4800, 50.0, 21600.0), sr, 8000,
                               "0.5 * linear chirp 50 Hz -> 21.6 kHz at 48 kHz, 0.1 s"))
    sr = 44100
    cases.append(resample_case("44100_to_8000/chirp", synth_chirp(sr, 4410, 50.0, 19845.0), sr, 8000,
                               "0.5 * linear chirp 50 Hz -> 19.845 kHz at 44.1 kHz, 0.1 s"))
    return cases


# --------------------------------------------------------------------------

def ensure_clips() -> None:
    CLIP_DIR.mkdir(parents=True, exist_ok=True)
    for clip in CLIPS:
        dst = CLIP_DIR / clip
        if not dst.exists():
            src = FSDD_DIR / clip
            if not src.exists():
                sys.exit(f"missing {dst} and {src}; set FSDD_DIR to the FSDD recordings folder")
            shutil.copyfile(src, dst)


def main() -> None:
    t0 = time.time()
    ensure_clips()
    total = 0
    for filename, make in (("rfft.json", make_rfft), ("stft.json", make_stft), ("istft.json", make_istft),
                           ("griffinlim.json", make_griffinlim), ("db.json", make_db),
                           ("resample.json", make_resample)):
        t = time.time()
        cases = make()
        size = write_fixture(filename, cases)
        total += size
        print(f"{filename:16s} {len(cases):3d} cases {size / 1e6:6.3f} MB  {time.time() - t:5.2f} s")
    print(f"{'total':16s}           {total / 1e6:6.3f} MB  {time.time() - t0:5.2f} s")


if __name__ == "__main__":
    main()
