// @specvae/cli/plots: pure functions from typed arrays and metadata to
// figure bytes (SVG text or PNG), for the CLI's commands and reports.
//
//   spectrogramPng / spectrogramSvg   one spectrogram, time (s) x frequency (Hz), dB colour bar
//   comparisonPng / comparisonSvg     the 2 x 2 original-vs-reconstruction figure
//   scatterPng / scatterSvg           2-D points coloured by digit, with legend (PCA, t-SNE)
//   lossCurvePng / lossCurveSvg       training curves, linear or log y
//   stripPng / stripSvg               spectrograms side by side on one dB scale (interpolations)
export { comparisonLayout, comparisonPng, comparisonSvg, type ComparisonInput, type ComparisonOptions } from './comparison.js';
export { lossCurvePng, lossCurveSvg, type LossCurveOptions, type LossSeries } from './loss.js';
export { scatterPng, scatterSvg, type ScatterInput, type ScatterOptions } from './scatter.js';
export { stripPng, stripSvg, type StripOptions } from './strip.js';
export {
  defaultDbRange, spectrogramDuration, spectrogramLayout, spectrogramMaxFrequency, spectrogramPng, spectrogramSvg,
  type SpectrogramFigureOptions, type SpectrogramInput, type SpectrogramStyle,
} from './spectrogram.js';
export type { WaveformInput } from './waveform.js';
export { CATEGORY_COLORS, categoryColor, colormapLut, isColormap, type ColormapName } from './colormap.js';
export { decodePng, encodePng, type DecodedPng } from './raster.js';
export { DEFAULT_SCALE, svgToPng, type RasterOptions } from './render.js';
