// @specvae/vae-model: the VAE family on TensorFlow.js, its feature pipeline,
// training loop, evaluation and files. Node-only parts: '@specvae/vae-model/node'.
export {
  DEFAULT_CLASS_WEIGHT, DEFAULT_SIGMA, defaultArchitecture, encoderShapes, gaussianReconWeight, originalArchitecture, validateArchitecture,
  type Architecture, type ModelKind,
} from './models/architecture.js';
export { buildNetworks } from './models/networks.js';
export { MixturePrior } from './models/prior.js';
export { ClassPrior, DEFAULT_CLASS_PRIOR_COMPONENTS, type ClassMixture, type ClassMixtureJson, type ClassPriorJson } from './models/class-prior.js';
export { fitGaussianMixture, type GaussianMixtureFit, type GaussianMixtureOptions } from './models/gaussian-mixture.js';
export { SpectrogramVae, type LossTerms, type Spectrograms } from './models/vae.js';
export {
  evaluateLoss, epochOrder, trainVae, TrainingDivergedError,
  type BatchEvent, type TrainingData, type TrainOptions, type TrainResult,
} from './train/trainer.js';
export { trainingRecipe, type RecipePreset, type TrainingRecipe } from './train/recipe.js';
export {
  MemoryCheckpointStore, type Checkpoint, type CheckpointStore, type EpochMetrics, type OptimizerState, type TrainingState,
} from './train/checkpoint.js';
export {
  checkManifest, fromBundle, MODEL_FORMAT, MODEL_FORMAT_VERSION, ModelFormatError, toBundle,
  artifactsFromJson, layersModelJson, weightBytes, type ModelBundle, type ModelManifest,
} from './io/bundle.js';
export { loadModelUrl } from './io/http.js';
export { DigitClassifier, inceptionScore } from './eval/classifier.js';
export { logSpectralDistance, meanSquaredError, spectralConvergence } from './eval/metrics.js';
export {
  evaluateModel, latentClassMeans, type EvaluateOptions, type EvaluationReport, type LabelledFeatures,
} from './experiment/evaluate.js';
export * from './features/index.js';
export * from './data/index.js';
export { initBackend, ready, type BackendInfo, type BackendOptions } from './backend.js';
export { TRAINING_KERNELS } from './kernels/register.js';
export { pca2, project, projectAll, symmetricEigen, unproject, type Pca2 } from './eval/pca.js';
