/**
 * Feature pipeline (pure: Node and browsers): configs and presets, audio ->
 * features, features -> audio.
 *
 * @module
 */
export {
  FEATURE_PIPELINE_VERSION, FEATURE_PRESETS, MAX_SAMPLE_RATE,
  featureConfigKey, featurePreset, featureShape, validateFeatureConfig,
  type FeatureConfig, type FeatureConfigOverrides, type FeaturePresetName, type FeatureShape, type GriffinLimConfig,
} from './config.js';
export {
  audioFromFeatures, featuresFromSignal, featuresFromSignals, featuresToMagnitude, pipelineSignal, resynthesize,
  sourceRateProblem, wavFromFeatures,
  type ClipFeatures, type FeatureBatch, type FeaturesFromSignalsOptions, type Resynthesis, type ResynthesisOptions,
} from './pipeline.js';
