/**
 * FSDD names, split and in-memory WAV files -> features (pure: Node and
 * browsers). The folder reader and the on-disk cache are Node-only, in
 * `./node.ts`; import them from there.
 *
 * @module
 */
export {
  FSDD_TEST_INDEX_LIMIT, compareFsddItems, decodeClip, featuresFromFiles, fsddSplitOf, parseFsddName, selectSplit,
  type BadFilePolicy, type DecodedClip, type FeaturesFromFilesOptions, type FilesFeatures, type FsddItem,
  type FsddSelection, type FsddSplit, type InputFile, type SkippedFile, type UsedFile,
} from './fsdd.js';
