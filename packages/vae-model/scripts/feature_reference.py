#!/usr/bin/env python3
"""Independent numpy reference of the feature pipeline of @specvae/vae-model.

Regenerate (from the repository root; numpy + scipy only, about a second):

    python3 packages/vae-model/scripts/feature_reference.py

Reads real FSDD clips from $FSDD_DIR (default: ../shared/fsdd next to the
repository, i.e. /work/shared/fsdd) and writes
packages/vae-model/test/fixtures/features.json.

What it re-implements (in float64, from the int16 samples), one small function
per step of the original experiment's preprocessing (docs/original-experiment.md):

    y  = librosa.load(path, sr=22050, duration=0.74)   # read int(0.74 * sr_native)
                                                       # samples, THEN resample
    y  = right zero-pad / crop to 16,317 samples
    S  = |librosa.stft(y, n_fft=512, hop_length=256, win_length=512)|[:-1]
         # periodic Hann, center=True, zero ('constant') padding (librosa >= 0.10)
    dB = librosa.amplitude_to_db(S)     # 20 log10(max(1e-5, S)), ref 1, top_db 80,
                                        # computed on the rows kept (Nyquist dropped first)
    x  = (dB - dB.min()) / (dB.max() - dB.min())

and the same steps with the `default` preset's numbers (8 kHz, no resampling,
n_fft 256, hop 128, window 256, 18,304 samples -> 128 x 144).

The resampler
-------------
librosa.load's default resampler is soxr ('soxr_hq'), which is not available
here (neither librosa nor soxr is installed). The reference uses
scipy.signal.resample_poly (Kaiser window, beta 5, 10 zero crossings), which
is exactly librosa.resample(res_type='polyphase') -- output length
ceil(n * 22050 / 8000), as librosa -- and is also the design @specvae/dsp-wasm
implements. So this reference pins `original` to
`librosa.load(path, sr=22050, duration=0.74, res_type='polyphase')`. With soxr
the features would differ slightly around the 4 kHz band edge and in the
(clipped) empty band above it; the geometry (5,920 -> 16,317 samples,
256 x 64) is the same.

Fixture format (as packages/dsp-wasm's fixtures)
------------------------------------------------
    { "generator": "scripts/feature_reference.py",
      "resampler": str,
      "cases": [ { "name": "<preset>/<clip>",
                   "params": { preset, clip, source_samples, kept_source_samples,
                               resampled_samples, length, n_fft, hop, win_length,
                               n_bins, n_frames, db_min, db_max,
                               crop_after_resample_max_abs_diff },
                   "arrays": { "features": { dtype: "float32", shape: [n_bins, n_frames],
                                             b64: little-endian, row-major bytes } } } ] }

`features` is bin-major like librosa's S[f, t] (element (f, t) at
f * n_frames + t). `crop_after_resample_max_abs_diff` (original preset only)
is how far the features move when the clip is resampled first and cut to
16,317 samples afterwards, instead of librosa's cut-then-resample: a measure
of what the 1e-3 test tolerance is able to detect.
"""

from __future__ import annotations

import base64
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import scipy.io.wavfile
import scipy.signal

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent
REPO_ROOT = PACKAGE.parent.parent
FSDD_DIR = Path(os.environ.get("FSDD_DIR", REPO_ROOT.parent / "shared" / "fsdd"))
OUT = PACKAGE / "test" / "fixtures" / "features.json"
GENERATOR = "scripts/feature_reference.py"
RESAMPLER = ("scipy.signal.resample_poly (Kaiser beta 5, 10 zero crossings) = "
             "librosa.resample(res_type='polyphase'); librosa.load's default is soxr_hq")

PRESETS: dict[str, dict[str, Any]] = {
    "original": {"sr": 22050, "duration": 0.74, "length": 16317, "n_fft": 512, "hop": 256, "win": 512,
                 "amin": 1e-5, "top_db": 80.0},
    "default": {"sr": 8000, "duration": None, "length": 18304, "n_fft": 256, "hop": 128, "win": 256,
                "amin": 1e-5, "top_db": 80.0},
}

# (preset, clip): a test-split clip, the longest file (2.28 s: cut at 0.74 s by
# `original`, whole in `default`), the shortest (0.14 s), a long one (1.31 s).
CASES: list[tuple[str, str]] = [
    ("original", "0_george_0.wav"),
    ("original", "9_theo_16.wav"),
    ("original", "6_yweweler_3.wav"),
    ("original", "3_lucas_7.wav"),
    ("default", "9_theo_16.wav"),
    ("default", "6_yweweler_3.wav"),
]


def read_wav(path: Path) -> tuple[int, np.ndarray]:
    """16-bit PCM mono as float64, int16 / 32768 (soundfile's and librosa's scaling)."""
    sr, pcm = scipy.io.wavfile.read(path)
    assert pcm.dtype == np.int16 and pcm.ndim == 1, f"{path}: expected 16-bit mono PCM"
    return int(sr), pcm.astype(np.float64) / 32768.0


def fix_length(y: np.ndarray, size: int) -> np.ndarray:
    """librosa.util.fix_length: crop, or right-pad with zeros."""
    return y[:size] if y.shape[-1] >= size else np.pad(y, (0, size - y.shape[-1]))


def resample(y: np.ndarray, orig_sr: int, target_sr: int) -> np.ndarray:
    """librosa.resample(y, orig_sr, target_sr, res_type='polyphase') (fix=True)."""
    if orig_sr == target_sr:
        return y
    g = math.gcd(orig_sr, target_sr)
    out = scipy.signal.resample_poly(y, target_sr // g, orig_sr // g)
    return fix_length(out, int(math.ceil(y.shape[-1] * target_sr / orig_sr)))


def load(path: Path, sr: int, duration: float | None) -> tuple[np.ndarray, int, int]:
    """librosa.load(path, sr, duration, res_type='polyphase'): cut at the native rate, then resample."""
    sr_native, y = read_wav(path)
    n_source = y.shape[-1]
    if duration is not None:
        y = y[: int(duration * sr_native)]
    return resample(y, sr_native, sr), n_source, y.shape[-1]


def stft_magnitude(y: np.ndarray, n_fft: int, hop: int, win: int) -> np.ndarray:
    """|librosa.stft(y, n_fft, hop, win, window='hann', center=True, pad_mode='constant')|."""
    window = scipy.signal.get_window("hann", win, fftbins=True)  # periodic Hann
    lpad = (n_fft - win) // 2
    window = np.pad(window, (lpad, n_fft - win - lpad))
    yp = np.pad(y, (n_fft // 2, n_fft // 2))
    n_frames = 1 + (yp.shape[-1] - n_fft) // hop
    idx = np.arange(n_fft)[:, None] + hop * np.arange(n_frames)[None, :]
    return np.abs(np.fft.rfft(yp[idx] * window[:, None], axis=0))


def amplitude_to_db(S: np.ndarray, amin: float, top_db: float) -> np.ndarray:
    """librosa.amplitude_to_db(S, ref=1.0, amin, top_db)."""
    db = 20.0 * np.log10(np.maximum(amin, S))
    return np.maximum(db, db.max() - top_db)


def features(y: np.ndarray, p: dict[str, Any]) -> tuple[np.ndarray, float, float]:
    y = fix_length(y, p["length"])
    S = stft_magnitude(y, p["n_fft"], p["hop"], p["win"])[:-1]  # drop the Nyquist row first
    db = amplitude_to_db(S, p["amin"], p["top_db"])
    lo, hi = float(db.min()), float(db.max())
    return (db - lo) / (hi - lo), lo, hi


def enc(a: np.ndarray) -> dict[str, Any]:
    a = np.ascontiguousarray(a, dtype="<f4")
    assert np.all(np.isfinite(a))
    return {"dtype": "float32", "shape": [int(s) for s in a.shape], "b64": base64.b64encode(a.tobytes()).decode("ascii")}


def main() -> None:
    if not FSDD_DIR.is_dir():
        raise SystemExit(f"FSDD not found at {FSDD_DIR}; set FSDD_DIR")
    cases = []
    for preset, clip in CASES:
        p = PRESETS[preset]
        y, n_source, n_kept = load(FSDD_DIR / clip, p["sr"], p["duration"])
        x, lo, hi = features(y, p)
        n_bins, n_frames = x.shape
        assert (n_bins, n_frames) == ((256, 64) if preset == "original" else (128, 144)), x.shape
        params: dict[str, Any] = {
            "preset": preset, "clip": clip, "source_samples": n_source, "kept_source_samples": n_kept,
            "resampled_samples": int(y.shape[-1]), "length": p["length"], "n_fft": p["n_fft"], "hop": p["hop"],
            "win_length": p["win"], "n_bins": n_bins, "n_frames": n_frames, "db_min": lo, "db_max": hi,
        }
        if preset == "original":
            if n_source > 5920:
                assert n_kept == 5920 and y.shape[-1] == 16317, (n_kept, y.shape)
            # The wrong order (resample the whole clip, then cut): how much it moves the features.
            sr_native, full = read_wav(FSDD_DIR / clip)
            x2, _, _ = features(resample(full, sr_native, p["sr"]), p)
            params["crop_after_resample_max_abs_diff"] = float(np.max(np.abs(x2 - x)))
        cases.append({"name": f"{preset}/{clip}", "params": params, "arrays": {"features": enc(x)}})
        print(f"{preset}/{clip}: {n_source} -> {n_kept} -> {y.shape[-1]} samples, {n_bins} x {n_frames}, "
              f"dB [{lo:.3f}, {hi:.3f}]" + (f", crop-after-resample diff {params['crop_after_resample_max_abs_diff']:.2e}"
                                             if "crop_after_resample_max_abs_diff" in params else ""))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"generator": GENERATOR, "resampler": RESAMPLER, "cases": cases},
                      allow_nan=False, separators=(",", ":"))
    OUT.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO_ROOT)} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
