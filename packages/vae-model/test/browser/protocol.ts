/** What the Node side gives the page (served as case.json). */
export interface BrowserCase {
  z: number[];
  labels: number[];
  /** Training spectrograms, [labels.length, ...inputShape] row-major. */
  x: number[];
  epochs: number;
  batchSize: number;
  seed: number;
}

/** What the page reports back. */
export interface BrowserResults {
  backend: string;
  build: string;
  /** The served model's decode of z. */
  decoded: number[];
  /** Training loss per epoch. */
  losses: number[];
  /** Decode of z after training, and after a toBundle/fromBundle round trip. */
  trained: number[];
  reloaded: number[];
  leaked: number;
}
