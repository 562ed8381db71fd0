// A real HTTP server on 127.0.0.1 serving FSDD-like release archives built
// with the `tar` library from real FSDD recordings, good and bad.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { create } from 'tar';

export const TOP = 'free-spoken-digit-dataset-1.0.10';

/** A few real recordings: every digit, several speakers. */
export const SAMPLE_FILES = [
  '0_george_0.wav', '1_jackson_12.wav', '2_lucas_5.wav', '3_nicolas_7.wav', '4_theo_9.wav',
  '5_yweweler_3.wav', '6_george_48.wav', '7_jackson_32.wav', '8_lucas_20.wav', '9_theo_41.wav',
];

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A test manifest for `names` from the FSDD folder, in the production format. */
export function writeManifest(fsddDir: string, names: readonly string[], path: string): void {
  const files: Record<string, { size: number; sha256: string }> = {};
  let bytes = 0;
  for (const n of names) {
    const data = readFileSync(join(fsddDir, n));
    files[n] = { size: data.length, sha256: sha256(data) };
    bytes += data.length;
  }
  writeFileSync(path, JSON.stringify({
    format: 'specvae-fsdd-manifest/1', dataset: 'FSDD (test subset)', repository: 'Jakobovski/free-spoken-digit-dataset',
    tag: 'v1.0.10', folder: 'recordings', license: 'CC BY-SA 4.0', count: names.length, bytes, files,
  }, null, 2));
}

export interface ArchiveSpec {
  /** Recordings to include (default SAMPLE_FILES). */
  files?: readonly string[];
  /** Replace a recording's bytes (same name). */
  tamper?: { name: string; sameSize: boolean };
  /** Extra entries: paths as stored in the archive, read from files made in the staging folder. */
  extraEntries?: ('dotdot' | 'absolute' | 'symlink' | 'hardlink')[];
}

/** Builds a GitHub-like release .tar.gz: <top>/README.md, <top>/utils/..., <top>/recordings/*.wav. */
export async function buildArchive(fsddDir: string, staging: string, spec: ArchiveSpec = {}): Promise<Buffer> {
  const files = spec.files ?? SAMPLE_FILES;
  const rec = join(staging, TOP, 'recordings');
  mkdirSync(rec, { recursive: true });
  mkdirSync(join(staging, TOP, 'utils'), { recursive: true });
  writeFileSync(join(staging, TOP, 'README.md'), '# Free Spoken Digit Dataset (test archive)\n');
  writeFileSync(join(staging, TOP, 'utils', 'spectogramer.py'), 'print("not extracted")\n');
  for (const n of files) copyFileSync(join(fsddDir, n), join(rec, n));
  if (spec.tamper) {
    const p = join(rec, spec.tamper.name);
    const data = readFileSync(p);
    if (spec.tamper.sameSize) data[data.length - 1] = data[data.length - 1]! ^ 0xff;
    writeFileSync(p, spec.tamper.sameSize ? data : Buffer.concat([data, Buffer.from([0, 0])]));
  }
  const entries = [`${TOP}/README.md`, `${TOP}/utils`, `${TOP}/recordings`];
  for (const kind of spec.extraEntries ?? []) {
    if (kind === 'dotdot') {
      writeFileSync(join(staging, 'evil.wav'), 'evil');
      entries.push(`${TOP}/recordings/../../evil.wav`);
    } else if (kind === 'absolute') {
      writeFileSync(join(staging, 'abs.wav'), 'absolute');
      entries.push(join(staging, 'abs.wav')); // stored with its leading '/'
    } else if (kind === 'symlink') {
      symlinkSync('/etc/passwd', join(rec, '0_evil_0.wav'));
    } else if (kind === 'hardlink') {
      // tar stores the second path to the same inode as a hard link
      writeFileSync(join(staging, 'target.wav'), 'hard');
      const { linkSync } = await import('node:fs');
      linkSync(join(staging, 'target.wav'), join(rec, '1_evil_0.wav'));
      entries.unshift('target.wav');
    }
  }
  const chunks: Buffer[] = [];
  const stream = create({ gzip: true, cwd: staging, portable: true, preservePaths: true, noMtime: true }, entries);
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

export interface Route {
  /** Body to serve, or a behaviour. */
  body?: Buffer;
  status?: number;
  /** Send this many bytes, then destroy the connection. */
  dropAfter?: number;
  /** Drop only on the first request (a flaky network). */
  dropOnce?: boolean;
  /** Send this many bytes, then nothing (the socket stays open). */
  stallAfter?: number;
  /** Redirect to another path. */
  redirect?: string;
  /** Omit Content-Length (chunked, as GitHub's archive endpoint does). */
  chunked?: boolean;
  contentType?: string;
}

export interface TestServer {
  url: string;
  routes: Map<string, Route>;
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startServer(): Promise<TestServer> {
  const routes = new Map<string, Route>();
  const hits = new Map<string, number>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const n = (hits.get(path) ?? 0) + 1;
    hits.set(path, n);
    const route = routes.get(path);
    if (!route) { res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found'); return; }
    if (route.redirect) { res.writeHead(302, { location: route.redirect }).end(); return; }
    const body = route.body ?? Buffer.alloc(0);
    const headers: Record<string, string | number> = { 'content-type': route.contentType ?? 'application/x-gzip' };
    if (!route.chunked) headers['content-length'] = body.length;
    res.writeHead(route.status ?? 200, headers);
    const drop = route.dropAfter !== undefined && (!route.dropOnce || n === 1);
    if (drop) {
      res.write(body.subarray(0, route.dropAfter), () => setTimeout(() => req.socket.destroy(), 20));
      return;
    }
    if (route.stallAfter !== undefined) { res.write(body.subarray(0, route.stallAfter)); return; }
    // in a few pieces, like a network would
    const piece = Math.max(1, Math.ceil(body.length / 8));
    let off = 0;
    const next = (): void => {
      if (off >= body.length) { res.end(); return; }
      const chunk = body.subarray(off, off + piece);
      off += piece;
      res.write(chunk, () => setImmediate(next));
    };
    next();
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routes,
    hits,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

/** A forward proxy on 127.0.0.1 that tunnels CONNECT requests and counts them. */
export async function startProxy(): Promise<{ url: string; connects: string[]; close(): Promise<void> }> {
  const connects: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => { res.writeHead(405).end(); });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    connects.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    sockets.add(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}
