// @specvae/cli as a library: the program, its building blocks, and the plots.
export { main, createProgram, type MainOptions } from './cli.js';
export { action, type CommandContext, type CommandModule, type GlobalOptions, type Invocation } from './context.js';
export { CliError, ExitCode, InterruptedError, UsageError, describeError, errorMessage, fromSystemError, oneLine } from './errors.js';
export { Output, colorEnabled, formatBytes, formatDuration, jsonReplacer, type OutputOptions } from './output.js';
export { createProgress, formatNumber, type Progress, type ProgressOptions, type ProgressPayload } from './progress.js';
export { fetchDataset, unsafePathReason, type FetchDatasetOptions, type FetchDatasetResult } from './fsdd/download.js';
export {
  DEFAULT_MANIFEST_PATH, checkFile, loadManifest, naturalCompare, parseManifest, verifyFolder,
  type FolderReport, type Manifest, type ManifestFile,
} from './fsdd/manifest.js';
export { FSDD_REPOSITORY, FSDD_TAG, FSDD_URL, datasetDir, defaultCacheDir } from './fsdd/source.js';
export { VERSION } from './version.js';
