// The page's side of the worker protocol: typed calls that resolve with the
// worker's result, and training events.
import type { EventMessage, Method, Params, RequestMessage, ResponseMessage, Result } from './protocol.js';
import { isEvent } from './protocol.js';
import workerUrl from './worker.ts?worker&url';

export class WorkerClient {
  private nextId = 1;
  private pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private listeners = new Set<(e: EventMessage) => void>();

  constructor(readonly worker: Worker) {
    worker.onmessage = (e: MessageEvent<ResponseMessage | EventMessage>) => {
      const m = e.data;
      if (isEvent(m)) {
        for (const l of this.listeners) l(m);
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      const err = new Error(`worker failed: ${e.message || 'could not load the worker script'}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  call<M extends Method>(method: M, params: Params<M>, transfer: Transferable[] = []): Promise<Result<M>> {
    const id = this.nextId++;
    return new Promise<Result<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const msg: RequestMessage<M> = { id, method, params };
      this.worker.postMessage(msg, transfer);
    });
  }

  onEvent(listener: (e: EventMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  terminate(): void {
    this.worker.terminate();
    const err = new Error('worker stopped');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

/**
 * A module worker running src/worker.ts (bundled by Vite). When the demo's
 * files are on another origin than the page (a CDN), the worker starts from
 * a same-origin blob that imports the real script (which then needs CORS).
 */
export function startWorker(): WorkerClient {
  const url = new URL(workerUrl, import.meta.url);
  let worker: Worker;
  if (url.origin === location.origin) {
    worker = new Worker(url, { type: 'module', name: 'specvae' });
  } else {
    const blob = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};\n`], { type: 'text/javascript' }));
    worker = new Worker(blob, { type: 'module', name: 'specvae' });
    setTimeout(() => URL.revokeObjectURL(blob), 60_000);
  }
  return new WorkerClient(worker);
}

/**
 * Runs a task with "latest wins" semantics: while one runs, newer requests
 * replace each other and only the newest runs next (a slider never queues
 * up stale work).
 */
export class Latest<T> {
  private running = false;
  private queued: (() => Promise<T>) | null = null;

  constructor(private readonly done: (value: T) => void, private readonly failed: (e: unknown) => void) {}

  push(task: () => Promise<T>): void {
    if (this.running) {
      this.queued = task;
      return;
    }
    this.running = true;
    task().then(this.done, this.failed).finally(() => {
      this.running = false;
      const next = this.queued;
      this.queued = null;
      if (next) this.push(next);
    });
  }
}
