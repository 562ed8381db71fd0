/**
 * `demo-extras.json`, shipped next to a model: what the latent explorer needs
 * (the PCA plane of a labelled set's latent means, the points, each
 * recording's latent) and the digits' latent class means. Pure: Node and
 * browsers.
 */
import { latentClassMeans, pca2, project, type SpectrogramVae } from '@specvae/vae-model';

export const EXTRAS_FORMAT = 'specvae-demo-extras';
export const EXTRAS_VERSION = 1;

export interface ExtrasPoint {
  file: string;
  /** Spoken digit, when known. */
  digit: number | null;
  speaker: string | null;
  /** Coordinates on the PCA plane. */
  x: number;
  y: number;
  /** The recording's posterior mean (latentDim values). */
  z: number[];
}

export interface DemoExtras {
  format: typeof EXTRAS_FORMAT;
  version: number;
  latentDim: number;
  /** Where the points come from, e.g. 'FSDD test split'. */
  source: string;
  pca: { mean: number[]; basis: [number[], number[]]; explained: [number, number] };
  /** Mean posterior mean per digit ([10][latentDim]), or null without labels. */
  classMeans: number[][] | null;
  points: ExtrasPoint[];
}

/** One labelled recording given to {@link computeExtras}. */
export interface ExtrasItem {
  file: string;
  digit: number | null;
  speaker: string | null;
}

const round = (v: number): number => Number(v.toPrecision(6));

/**
 * The extras of a model over n recordings' features ([n, bins, frames]):
 * posterior means (a cvae is given each recording's digit), their PCA plane,
 * and the class means when every recording has a digit.
 */
export function computeExtras(vae: SpectrogramVae, x: Float32Array, items: readonly ExtrasItem[], source: string): DemoExtras {
  const a = vae.architecture;
  const d = a.latentDim;
  const per = a.inputShape[0] * a.inputShape[1] * a.inputShape[2];
  const n = items.length;
  if (x.length !== n * per) throw new RangeError(`computeExtras: ${items.length} items but ${x.length / per} spectrograms`);
  const labelled = items.every((it) => it.digit !== null);
  if (a.kind === 'cvae' && !labelled) throw new RangeError('computeExtras: a conditional model needs the digit of every recording');
  const labels = labelled ? items.map((it) => it.digit!) : undefined;
  const { mu } = vae.encode(x, a.kind === 'cvae' ? labels : undefined);
  const p = pca2(mu, n, d);
  const points: ExtrasPoint[] = items.map((it, i) => {
    const z = mu.subarray(i * d, (i + 1) * d);
    const [px, py] = project(p, z);
    return { file: it.file, digit: it.digit, speaker: it.speaker, x: round(px), y: round(py), z: Array.from(z, round) };
  });
  let classMeans: number[][] | null = null;
  if (labelled) {
    const m = latentClassMeans(vae, { x, labels: labels! });
    classMeans = Array.from({ length: 10 }, (_, k) => Array.from(m.subarray(k * d, (k + 1) * d), round));
  }
  return {
    format: EXTRAS_FORMAT, version: EXTRAS_VERSION, latentDim: d, source,
    pca: { mean: Array.from(p.mean, round), basis: [Array.from(p.basis[0], round), Array.from(p.basis[1], round)], explained: [round(p.explained[0]), round(p.explained[1])] },
    classMeans, points,
  };
}

function isNumArray(v: unknown, n: number): v is number[] {
  return Array.isArray(v) && v.length === n && v.every((e) => typeof e === 'number' && Number.isFinite(e));
}

/** Checks a parsed demo-extras.json against a model's latent size; `where` names the file in errors. */
export function checkExtras(json: unknown, latentDim: number, where: string): DemoExtras {
  const bad = (m: string): never => {
    throw new Error(`${where}: ${m}`);
  };
  const o = json as Partial<DemoExtras> | null;
  if (!o || typeof o !== 'object' || o.format !== EXTRAS_FORMAT) bad(`not a ${EXTRAS_FORMAT} file`);
  if (typeof o!.version !== 'number' || o!.version > EXTRAS_VERSION) bad(`version ${String(o!.version)} is newer than this demo reads (${EXTRAS_VERSION})`);
  if (o!.latentDim !== latentDim) bad(`made for latents of size ${String(o!.latentDim)}, the model has ${latentDim}`);
  const p = o!.pca;
  if (!p || !isNumArray(p.mean, latentDim) || !Array.isArray(p.basis) || !isNumArray(p.basis[0], latentDim) || !isNumArray(p.basis[1], latentDim)) bad('bad pca block');
  if (o!.classMeans !== null && !(Array.isArray(o!.classMeans) && o!.classMeans.length === 10 && o!.classMeans.every((m) => isNumArray(m, latentDim)))) bad('bad classMeans');
  if (!Array.isArray(o!.points) || o!.points.some((q) => typeof q.x !== 'number' || typeof q.y !== 'number' || !isNumArray(q.z, latentDim))) bad('bad points');
  return o as DemoExtras;
}
