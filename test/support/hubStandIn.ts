// A local stand-in for the Hugging Face hub (or a mirror): the tree API and resolve URLs with Range
// support, over real HTTP on loopback. Scenarios: a connection that breaks mid-file, a wrong digest.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HubFile {
  path: string;
  content: Buffer;
  /** Served as an LFS file (sha256 declared) rather than a plain git blob (sha1 blob id declared). */
  lfs?: boolean;
}

export interface HubStandIn {
  endpoint: string;
  repo: string;
  revision: string;
  /** Every request's path and Range header, in order. */
  requests: { url: string; range?: string }[];
  /** The next response for this path stops after this many bytes (then the socket is destroyed). */
  breakNextAfter(path: string, bytes: number): void;
  /**
   * The next response for this path sends the file and then keeps sending `extraBytes` more (no
   * Content-Length, as a hostile or broken mirror might), a chunk at a time while the client reads.
   */
  oversendNext(path: string, extraBytes: number): void;
  /** Bytes written to the socket by oversending responses before they ended or the client left. */
  oversentBytes: number;
  /** Holds responses for this path until released (to test cancellation mid-file). */
  stall(path: string): { release(): void };
  close(): Promise<void>;
}

export async function startHubStandIn(repo: string, revision: string, files: HubFile[], options: { wrongDigestFor?: string } = {}): Promise<HubStandIn> {
  const requests: HubStandIn['requests'] = [];
  const breaks = new Map<string, number>();
  const stalls = new Map<string, Promise<void>>();
  const byPath = new Map(files.map((file) => [file.path, file]));
  const oversends = new Map<string, number>();
  let oversentBytes = 0;

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push({ url: url.pathname + url.search, range: req.headers.range });
    if (url.pathname === `/api/models/${repo}/tree/${revision}`) {
      const entries = files.map((file) => {
        const digest = createHash('sha256').update(file.content).digest('hex');
        const declared = options.wrongDigestFor === file.path ? digest.replace(/^./, (c) => (c === '0' ? '1' : '0')) : digest;
        const blobId = createHash('sha1').update(`blob ${file.content.length}\0`).update(file.content).digest('hex');
        return file.lfs
          ? { type: 'file', path: file.path, size: 134, oid: blobId, lfs: { oid: declared, size: file.content.length, pointerSize: 134 } }
          : { type: 'file', path: file.path, size: file.content.length, oid: options.wrongDigestFor === file.path ? '0'.repeat(40) : blobId };
      });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([{ type: 'directory', path: 'onnx', oid: 'x', size: 0 }, ...entries]));
      return;
    }
    const prefix = `/${repo}/resolve/${revision}/`;
    const file = url.pathname.startsWith(prefix) ? byPath.get(decodeURIComponent(url.pathname.slice(prefix.length))) : undefined;
    if (!file) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Entry not found' }));
      return;
    }
    const extra = oversends.get(file.path);
    if (extra !== undefined) {
      oversends.delete(file.path);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const payload = Buffer.concat([file.content, Buffer.alloc(extra, 0x41)]);
      let offset = 0;
      const pump = () => {
        while (offset < payload.length && !res.destroyed) {
          const piece = payload.subarray(offset, offset + 16_384);
          offset += piece.length;
          oversentBytes += piece.length;
          if (!res.write(piece)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end();
      };
      res.on('close', () => (offset = payload.length));
      pump();
      return;
    }
    const match = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = match ? Number(match[1]) : 0;
    const body = file.content.subarray(start);
    res.writeHead(match ? 206 : 200, {
      'content-length': String(body.length),
      ...(match ? { 'content-range': `bytes ${start}-${file.content.length - 1}/${file.content.length}` } : {}),
    });
    const send = () => {
      const cut = breaks.get(file.path);
      if (cut === undefined) return res.end(body);
      breaks.delete(file.path);
      res.write(body.subarray(0, cut), () => res.destroy());
    };
    const stalled = stalls.get(file.path);
    if (stalled) {
      res.write(body.subarray(0, 1)); // some bytes arrive, then nothing until released
      void stalled.then(() => res.end(body.subarray(1)));
    } else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    repo,
    revision,
    requests,
    breakNextAfter: (path, bytes) => breaks.set(path, bytes),
    oversendNext: (path, extraBytes) => oversends.set(path, extraBytes),
    get oversentBytes() {
      return oversentBytes;
    },
    stall(path) {
      let release!: () => void;
      stalls.set(path, new Promise<void>((resolve) => (release = resolve)));
      return { release: () => (stalls.delete(path), release()) };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
