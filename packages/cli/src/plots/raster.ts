// Raster pieces of figures (the spectrogram image and the colour bar),
// written as PNG with pngjs and embedded in the SVG as data URIs. They are
// drawn at exactly the device resolution of the final PNG, so nothing is
// resampled by the SVG renderer.
import pngjs from 'pngjs';

const { PNG } = pngjs;

/** Encodes RGBA pixels (width * height * 4 bytes) as PNG. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const png = new PNG({ width, height, colorType: 6, inputColorType: 6, inputHasAlpha: true });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  const out = PNG.sync.write(png, { colorType: 6, inputColorType: 6, inputHasAlpha: true, deflateLevel: 6 });
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

export interface DecodedPng {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel, row-major. */
  data: Uint8Array;
}

export function decodePng(bytes: Uint8Array): DecodedPng {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
}

export function pngDataUri(bytes: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}`;
}

/** A value -> colour mapping through a 256-entry LUT, clamped to [vmin, vmax]. */
export function lutIndex(v: number, vmin: number, vmax: number): number {
  if (!(v > vmin)) return 0; // also NaN
  if (v >= vmax) return 255;
  return Math.min(255, Math.floor(((v - vmin) / (vmax - vmin)) * 256));
}

/** A vertical colour bar, low values at the bottom. */
export function colorbarRgba(width: number, height: number, lut: Uint8Array): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const idx = Math.min(255, Math.floor(((height - 1 - y + 0.5) / height) * 256));
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      rgba[o] = lut[idx * 3]!;
      rgba[o + 1] = lut[idx * 3 + 1]!;
      rgba[o + 2] = lut[idx * 3 + 2]!;
      rgba[o + 3] = 255;
    }
  }
  return rgba;
}
