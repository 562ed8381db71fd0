// SVG -> PNG with resvg (Rust, prebuilt for each platform inside its npm
// packages) and the DejaVu Sans fonts from the dejavu-fonts-ttf package, so
// the pictures look the same on every machine, fonts installed or not.
import { createRequire } from 'node:module';
import resvg from '@resvg/resvg-js';

const require = createRequire(import.meta.url);
let fontFiles: string[] | undefined;

function fonts(): string[] {
  fontFiles ??= ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf']
    .map((f) => require.resolve(`dejavu-fonts-ttf/ttf/${f}`));
  return fontFiles;
}

export interface RasterOptions {
  /** Device pixels per SVG unit (default 2: sharp on high-density screens and in print). */
  scale?: number;
}

export const DEFAULT_SCALE = 2;

/** Renders an SVG document to PNG bytes. */
export function svgToPng(svg: string, options: RasterOptions = {}): Uint8Array {
  const scale = options.scale ?? DEFAULT_SCALE;
  const r = new resvg.Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: '#ffffff',
    font: { loadSystemFonts: false, fontFiles: fonts(), defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    imageRendering: 1,
    logLevel: 'off',
  });
  const png = r.render().asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
