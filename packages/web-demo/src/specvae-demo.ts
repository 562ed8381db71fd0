// Embedding: the <specvae-demo> custom element and embed(element, options).
// This module is the build's stable entry, `assets/specvae-demo.js`.
import { DemoApp, SECTIONS, type BenchmarkResult, type DemoOptions, type Section } from './app.js';
import type { Generated, ReadyInfo, Reconstruction, TrainOutcome } from './protocol.js';

export type { BenchmarkResult, DemoOptions, Generated, ReadyInfo, Reconstruction, Section, TrainOutcome };

/**
 * `<specvae-demo model-url="…" sections="generate explore reconstruct train">`:
 * the whole demo in a shadow root. Attributes are read when the element is
 * connected. Its methods are the demo's scripting API.
 */
export class SpecvaeDemoElement extends HTMLElement {
  private app: DemoApp | null = null;
  private options: DemoOptions = {};
  private waiters: ((app: DemoApp) => void)[] = [];

  /** Options set before the element is connected (embed() uses this). */
  configure(options: DemoOptions): this {
    this.options = { ...this.options, ...options };
    return this;
  }

  connectedCallback(): void {
    if (this.app) return;
    const attr = (n: string): string | undefined => this.getAttribute(n) ?? undefined;
    const sections = attr('sections')?.split(/[\s,]+/).filter((s): s is Section => (SECTIONS as readonly string[]).includes(s));
    const options: DemoOptions = {
      ...(attr('model-url') ? { modelUrl: new URL(attr('model-url')!, document.baseURI).href } : {}),
      ...(attr('extras-url') ? { extrasUrl: attr('extras-url') === 'none' ? null : new URL(attr('extras-url')!, document.baseURI).href } : {}),
      ...(attr('wasm-url') ? { wasmUrl: new URL(attr('wasm-url')!, document.baseURI).href } : {}),
      ...(sections?.length ? { sections } : {}),
      ...this.options,
    };
    this.app = new DemoApp(this.shadowRoot ?? this.attachShadow({ mode: 'open' }), options);
    for (const w of this.waiters.splice(0)) w(this.app);
  }

  disconnectedCallback(): void {
    // Moving the element keeps the demo; removing it for good frees the workers.
    queueMicrotask(() => {
      if (!this.isConnected && this.app) {
        this.app.destroy();
        this.app = null;
        this.shadowRoot?.replaceChildren();
      }
    });
  }

  private demo(): Promise<DemoApp> {
    return this.app ? Promise.resolve(this.app) : new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Resolves when the model is loaded (backend, SIMD, model facts). */
  async whenReady(): Promise<ReadyInfo> {
    return (await this.demo()).ready;
  }

  /** A new take of a digit (null or omitted: a random digit). Shown, and played unless play is false. */
  async generate(opts: { digit?: number | null; seed?: number; nIter?: number; z?: Float32Array; play?: boolean } = {}): Promise<Generated> {
    return (await this.demo()).generate(opts);
  }

  /** Times generations of one digit (decode + 32 Griffin-Lim iterations). */
  async benchmark(runs = 10): Promise<BenchmarkResult> {
    return (await this.demo()).benchmark(runs);
  }

  /** Reconstructs a recording (a File, or anything with a name and arrayBuffer()). */
  async reconstruct(file: { name: string; arrayBuffer(): Promise<ArrayBuffer> }): Promise<Reconstruction | null> {
    return (await this.demo()).reconstructFile(file);
  }

  /** Trains a small model on WAV files in the browser and switches to it. */
  async train(files: File[], opts: { epochs?: number; batchSize?: number; learningRate?: number } = {}): Promise<TrainOutcome | null> {
    return (await this.demo()).train({ ...opts, files });
  }

  /** Viewport coordinates of the latent explorer's dot `index` (the order of demo-extras.json's points). */
  pointOnScreen(index: number): { x: number; y: number } | null {
    return this.app?.pointOnScreen(index) ?? null;
  }

  /** The last results and the training loss so far. */
  get results(): { generated: Generated | null; reconstruction: Reconstruction | null; lossSteps: number } {
    const a = this.app;
    return { generated: a?.last.generated ?? null, reconstruction: a?.last.reconstruction ?? null, lossSteps: a?.lossPoints.length ?? 0 };
  }
}

if (!customElements.get('specvae-demo')) customElements.define('specvae-demo', SpecvaeDemoElement);

declare global {
  interface HTMLElementTagNameMap {
    'specvae-demo': SpecvaeDemoElement;
  }
}

/** Puts the demo into `target` (an element or a CSS selector) and returns it. */
export function embed(target: Element | string, options: DemoOptions = {}): SpecvaeDemoElement {
  const host = typeof target === 'string' ? document.querySelector(target) : target;
  if (!host) throw new Error(`specvae embed: no element ${String(target)}`);
  const el = document.createElement('specvae-demo').configure(options);
  host.append(el);
  return el;
}
