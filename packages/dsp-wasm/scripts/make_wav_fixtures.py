#!/usr/bin/env python3
"""Write the WAV fixtures for packages/dsp-wasm/test/wav.test.ts.

The fixtures are produced by writers independent of src/wav.ts (Python's
`wave` module, scipy.io.wavfile, and hand-packed RIFF chunks via `struct` for
layouts neither library writes: WAVE_FORMAT_EXTENSIBLE, 12-bit PCM, extra and
odd-sized chunks, 'data' before 'fmt '), so the TypeScript decoder is checked
against someone else's idea of the format.

Next to the .wav files it writes manifest.json: for every fixture the sample
rate, stored format, channel count, frame count and the expected decoded
samples per channel as float64 values, computed here from the integers or
floats that were written, with the libsndfile/soundfile scaling
(8-bit (u-128)/128, 16-bit s/32768, 24-bit s/2**23, 32-bit s/2**31, floats as
is). The decoder returns float32, so the test compares against
Math.fround(expected).

Usage (from the repo root or anywhere):
    python3 packages/dsp-wasm/scripts/make_wav_fixtures.py
Deterministic: re-running produces identical files.
"""

from __future__ import annotations

import io
import json
import struct
import warnings
import wave
from pathlib import Path

import numpy as np
import scipy.io.wavfile as wavfile

OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "wav"

WAVE_FORMAT_PCM = 0x0001
WAVE_FORMAT_IEEE_FLOAT = 0x0003
WAVE_FORMAT_EXTENSIBLE = 0xFFFE
KS_GUID_TAIL = bytes([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71])


# ----------------------------------------------------------------------------
# Signals


def sine_int(n: int, freq: float, rate: int, amp: float, phase: float = 0.0) -> np.ndarray:
    """A rounded sine of integer amplitude `amp`, as int64."""
    t = np.arange(n, dtype=np.float64)
    return np.round(amp * np.sin(2 * np.pi * freq * t / rate + phase)).astype(np.int64)


def with_extremes(x: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Put the most negative / most positive code values (and 0, -1) in."""
    x = x.copy()
    x[1], x[2], x[3], x[4] = lo, hi, 0, -1
    return x


# ----------------------------------------------------------------------------
# Hand-packed RIFF helpers (for layouts the libraries do not write)


def chunk(cid: bytes, body: bytes, pad: bool = True) -> bytes:
    assert len(cid) == 4
    out = cid + struct.pack("<I", len(body)) + body
    if pad and len(body) % 2 == 1:
        out += b"\x00"
    return out


def riff(*chunks: bytes) -> bytes:
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def fmt_plain(tag: int, channels: int, rate: int, bits: int, container_bytes: int) -> bytes:
    block = channels * container_bytes
    return struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)


def fmt_extensible(sub: int, channels: int, rate: int, bits: int, valid: int, mask: int) -> bytes:
    block = channels * (bits // 8)
    guid = struct.pack("<H", sub) + KS_GUID_TAIL
    return struct.pack("<HHIIHHHHI", WAVE_FORMAT_EXTENSIBLE, channels, rate, rate * block, block, bits, 22, valid, mask) + guid


def interleave(chs: list[np.ndarray]) -> np.ndarray:
    return np.stack(chs, axis=1).reshape(-1)


def pack_int(chs: list[np.ndarray], nbytes: int) -> bytes:
    """Little-endian signed integers of nbytes each (8-bit gets the +128 offset)."""
    x = interleave(chs)
    if nbytes == 1:
        return (x + 128).astype(np.uint8).tobytes()
    if nbytes == 2:
        return x.astype("<i2").tobytes()
    if nbytes == 4:
        return x.astype("<i4").tobytes()
    if nbytes == 3:
        u = (x & 0xFFFFFF).astype("<u4").view(np.uint8).reshape(-1, 4)
        return u[:, :3].tobytes()
    raise ValueError(nbytes)


def wave_write(path: Path, chs: list[np.ndarray], nbytes: int, rate: int) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(len(chs))
        w.setsampwidth(nbytes)
        w.setframerate(rate)
        w.writeframes(pack_int(chs, nbytes))


# ----------------------------------------------------------------------------
# Fixture table

manifest: list[dict] = []


def record(name: str, writer: str, rate: int, fmt: str, expected: list[np.ndarray], note: str = "") -> None:
    entry = {
        "file": name,
        "writer": writer,
        "sampleRate": rate,
        "format": fmt,
        "channels": len(expected),
        "length": int(len(expected[0])),
        "expected": [[float(v) for v in ch] for ch in expected],
    }
    if note:
        entry["note"] = note
    manifest.append(entry)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.wav"):
        old.unlink()

    # 1. 8-bit unsigned, mono, 11025 Hz, odd frame count (odd data size, no pad: wave omits it at EOF).
    rate, n = 11025, 201
    s = with_extremes(sine_int(n, 440, rate, 100), -128, 127)
    wave_write(OUT / "pcm8_mono_11025.wav", [s], 1, rate)
    record("pcm8_mono_11025.wav", "python wave", rate, "pcm8", [s / 128.0])

    # 2. 16-bit mono 8000 Hz (like FSDD).
    rate, n = 8000, 160
    s = with_extremes(sine_int(n, 440, rate, 20000), -32768, 32767)
    wave_write(OUT / "pcm16_mono_8000.wav", [s], 2, rate)
    record("pcm16_mono_8000.wav", "python wave", rate, "pcm16", [s / 32768.0])

    # 3. 16-bit stereo 44100 Hz via scipy.
    rate, n = 44100, 300
    left = with_extremes(sine_int(n, 1000, rate, 30000), -32768, 32767)
    right = sine_int(n, 250, rate, 12345, phase=1.0)
    wavfile.write(OUT / "pcm16_stereo_44100.wav", rate, np.stack([left, right], axis=1).astype(np.int16))
    record("pcm16_stereo_44100.wav", "scipy.io.wavfile", rate, "pcm16", [left / 32768.0, right / 32768.0])

    # 4. 24-bit stereo 96000 Hz via wave (samples packed by numpy).
    rate, n = 96000, 150
    left = with_extremes(sine_int(n, 3000, rate, 8_000_000), -(2**23), 2**23 - 1)
    right = sine_int(n, 700, rate, 1_234_567, phase=0.5)
    wave_write(OUT / "pcm24_stereo_96000.wav", [left, right], 3, rate)
    record("pcm24_stereo_96000.wav", "python wave", rate, "pcm24", [left / 2.0**23, right / 2.0**23])

    # 5. 32-bit integer mono 22050 Hz via scipy.
    rate, n = 22050, 128
    s = with_extremes(sine_int(n, 500, rate, 2_000_000_000), -(2**31), 2**31 - 1)
    wavfile.write(OUT / "pcm32_mono_22050.wav", rate, s.astype(np.int32))
    record("pcm32_mono_22050.wav", "scipy.io.wavfile", rate, "pcm32", [s / 2.0**31])

    # 6. 32-bit float stereo 16000 Hz via scipy (fmt of 18 bytes + 'fact' chunk); values beyond +-1 kept.
    rate, n = 16000, 100
    t = np.arange(n)
    left = (0.8 * np.sin(2 * np.pi * 440 * t / rate)).astype(np.float32)
    left[1], left[2], left[3] = 1.5, -2.0, np.float32(1e-40)  # out of range and a subnormal
    right = (0.3 * np.cos(2 * np.pi * 1234 * t / rate)).astype(np.float32)
    wavfile.write(OUT / "float32_stereo_16000.wav", rate, np.stack([left, right], axis=1))
    record("float32_stereo_16000.wav", "scipy.io.wavfile", rate, "float32", [left.astype(np.float64), right.astype(np.float64)])

    # 7. 64-bit float mono 48000 Hz via scipy (values not exactly representable in float32).
    rate, n = 48000, 90
    s = 0.9 * np.sin(2 * np.pi * 997 * np.arange(n) / rate)
    s[1] = 0.1
    wavfile.write(OUT / "float64_mono_48000.wav", rate, s.astype(np.float64))
    record("float64_mono_48000.wav", "scipy.io.wavfile", rate, "float64", [s], "decoder rounds to float32")

    # 8. WAVE_FORMAT_EXTENSIBLE, PCM 16-bit, 3 channels, 32000 Hz.
    rate, n = 32000, 64
    chs = [sine_int(n, 400 * (c + 1), rate, 10000 + 5000 * c) for c in range(3)]
    data = pack_int(chs, 2)
    (OUT / "ext_pcm16_3ch_32000.wav").write_bytes(
        riff(chunk(b"fmt ", fmt_extensible(WAVE_FORMAT_PCM, 3, rate, 16, 16, 0x7)), chunk(b"data", data))
    )
    record("ext_pcm16_3ch_32000.wav", "struct (extensible)", rate, "pcm16", [c / 32768.0 for c in chs])

    # 9. WAVE_FORMAT_EXTENSIBLE, 20 valid bits in a 24-bit container, stereo 44100 Hz.
    rate, n = 44100, 80
    chs = [sine_int(n, 300, rate, 500_000) * 16, sine_int(n, 900, rate, 300_000, 0.2) * 16]
    data = pack_int(chs, 3)
    (OUT / "ext_pcm24_valid20_stereo_44100.wav").write_bytes(
        riff(chunk(b"fmt ", fmt_extensible(WAVE_FORMAT_PCM, 2, rate, 24, 20, 0x3)), chunk(b"data", data))
    )
    record("ext_pcm24_valid20_stereo_44100.wav", "struct (extensible)", rate, "pcm24", [c / 2.0**23 for c in chs])

    # 10. WAVE_FORMAT_EXTENSIBLE, IEEE float 32-bit, mono 8000 Hz, with a 'fact' chunk.
    rate, n = 8000, 50
    s = (0.5 * np.sin(2 * np.pi * 100 * np.arange(n) / rate)).astype(np.float32)
    (OUT / "ext_float32_mono_8000.wav").write_bytes(
        riff(
            chunk(b"fmt ", fmt_extensible(WAVE_FORMAT_IEEE_FLOAT, 1, rate, 32, 32, 0x4)),
            chunk(b"fact", struct.pack("<I", n)),
            chunk(b"data", s.astype("<f4").tobytes()),
        )
    )
    record("ext_float32_mono_8000.wav", "struct (extensible)", rate, "float32", [s.astype(np.float64)])

    # 11. 16-bit mono 11025 Hz written by wave, then re-wrapped with a LIST/INFO chunk
    #     and an odd-sized 'junk' chunk (with its pad byte) before 'data', and a chunk after it.
    rate, n = 11025, 111
    s = sine_int(n, 600, rate, 16000)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pack_int([s], 2))
    raw = buf.getvalue()
    assert raw[36:40] == b"data"
    fmt_body, data_body = raw[20:36], raw[44:]
    info = b"INFO" + chunk(b"ISFT", b"make_wav_fixtures.py\x00") + chunk(b"ICMT", b"odd\x00\x00")
    (OUT / "pcm16_mono_11025_extra_chunks.wav").write_bytes(
        riff(
            chunk(b"fmt ", fmt_body),
            chunk(b"LIST", info),
            chunk(b"junk", b"abcde"),  # 5 bytes + pad byte
            chunk(b"data", data_body),
            chunk(b"LIST", b"INFO" + chunk(b"INAM", b"after data\x00")),
        )
    )
    record("pcm16_mono_11025_extra_chunks.wav", "python wave + struct", rate, "pcm16", [s / 32768.0])

    # 12. 8-bit stereo 22050 Hz with an odd-sized 'data' chunk (padded) followed by a LIST chunk.
    rate, n = 22050, 33
    chs = [sine_int(n, 800, rate, 90), sine_int(n, 1600, rate, 60)]
    data = pack_int(chs, 1)[:-1]  # drop the last byte: 65 bytes, half a frame at the end
    (OUT / "pcm8_stereo_22050_odd_data.wav").write_bytes(
        riff(
            chunk(b"fmt ", fmt_plain(WAVE_FORMAT_PCM, 2, rate, 8, 1)),
            chunk(b"data", data),
            chunk(b"LIST", b"INFO" + chunk(b"ICMT", b"x\x00")),
        )
    )
    record(
        "pcm8_stereo_22050_odd_data.wav",
        "struct",
        rate,
        "pcm8",
        [c[: n - 1] / 128.0 for c in chs],
        "65 data bytes: the trailing half frame is dropped",
    )

    # 13. 12-bit PCM (left-justified in 16 bits), mono 8000 Hz.
    rate, n = 8000, 40
    s = sine_int(n, 300, rate, 2000) * 16
    (OUT / "pcm12_mono_8000.wav").write_bytes(
        riff(chunk(b"fmt ", fmt_plain(WAVE_FORMAT_PCM, 1, rate, 12, 2)), chunk(b"data", pack_int([s], 2)))
    )
    record("pcm12_mono_8000.wav", "struct", rate, "pcm16", [s / 32768.0])

    # 14. 'data' before 'fmt ' (legal RIFF, rare), 16-bit stereo 8000 Hz.
    rate, n = 8000, 20
    chs = [sine_int(n, 200, rate, 3000), sine_int(n, 300, rate, -3000)]
    (OUT / "pcm16_stereo_8000_data_first.wav").write_bytes(
        riff(chunk(b"data", pack_int(chs, 2)), chunk(b"fmt ", fmt_plain(WAVE_FORMAT_PCM, 2, rate, 16, 2)))
    )
    record("pcm16_stereo_8000_data_first.wav", "struct", rate, "pcm16", [c / 32768.0 for c in chs])

    # One fixture per line: readable diffs without one line per sample.
    lines = ",\n".join(json.dumps(e, separators=(",", ":")) for e in manifest)
    (OUT / "manifest.json").write_text(
        '{"generator":"packages/dsp-wasm/scripts/make_wav_fixtures.py",\n'
        '"scaling":"pcm8 (u-128)/128, pcm16 s/32768, pcm24 s/2**23, pcm32 s/2**31, float as is",\n'
        f'"fixtures":[\n{lines}\n]}}\n'
    )

    # Cross-check with the independent readers where they can read the file.
    for e in manifest:
        path = OUT / e["file"]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _, arr = wavfile.read(path)
        except Exception:  # scipy refuses some layouts (12-bit, data-first, ...)
            continue
        arr = arr.reshape(len(arr), -1)
        assert arr.shape[0] >= e["length"], e["file"]
    print(f"wrote {len(manifest)} fixtures to {OUT}")


if __name__ == "__main__":
    main()
