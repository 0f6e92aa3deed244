import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { ONNX_FILES, TOKENIZER_FILES, type Precision } from '../core/classifier/modelDir';

/** Where the model comes from: a Hugging Face endpoint (or a mirror with the same paths), a repository and a revision. */
export interface DownloadSource {
  endpoint: string;
  repo: string;
  revision: string;
}

/** The ONNX export of NVIDIA's classifier, pinned to upstream revision fea1121 (see docs/classifier.md). */
export const DEFAULT_SOURCE: DownloadSource = {
  endpoint: 'https://huggingface.co',
  repo: 'preflight/prompt-task-and-complexity-classifier-ONNX',
  revision: 'main',
};

export const MODEL_LICENSE_NOTICE =
  "NVIDIA's prompt-task-and-complexity-classifier is released under the NVIDIA Open Model License " +
  '(https://developer.nvidia.com/open-model-license), which permits commercial use. By downloading it you accept that license.';

/** One file as the hub declares it: LFS files carry a sha256, plain files a git blob id. */
export interface RemoteFile {
  path: string;
  size: number;
  sha256?: string;
  gitBlobId?: string;
}

/** Sizes and digests pinned in the extension's models/manifest.json, checked on top of the hub's. */
export interface PinnedManifest {
  repo: string;
  revision: string;
  files: Record<string, { size: number; sha256: string }>;
}

export interface DownloadProgress {
  file: string;
  receivedBytes: number;
  totalBytes: number;
}

export interface DownloadOptions {
  source: DownloadSource;
  precision: Precision;
  /** The finished model directory; replaced only once every file is complete and verified. */
  targetDir: string;
  manifest?: PinnedManifest;
  onProgress?(progress: DownloadProgress): void;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

/** A download that could not finish: the message says why and what to do. */
export class DownloadError extends Error {
  override name = 'DownloadError';
}

const fileUrl = (source: DownloadSource, path: string) =>
  `${trimSlash(source.endpoint)}/${source.repo}/resolve/${encodeURIComponent(source.revision)}/${path.split('/').map(encodeURIComponent).join('/')}`;
const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** Lists the repository's files with their declared sizes and digests (the hub's tree API). */
export async function listRemoteFiles(source: DownloadSource, fetchImpl: typeof fetch = fetch, signal?: AbortSignal): Promise<RemoteFile[]> {
  const url = `${trimSlash(source.endpoint)}/api/models/${source.repo}/tree/${encodeURIComponent(source.revision)}?recursive=true`;
  const response = await request(fetchImpl, url, { signal }, source);
  let entries: unknown;
  try {
    entries = await response.json();
  } catch {
    throw new DownloadError(`${source.endpoint} did not answer with a file list for ${source.repo}. Check qwenRouter.classifier.downloadEndpoint.`);
  }
  if (!Array.isArray(entries)) throw new DownloadError(`${source.endpoint} answered with something other than a file list for ${source.repo}.`);
  return entries
    .filter((entry) => entry && entry.type === 'file' && typeof entry.path === 'string')
    .map((entry) => {
      const lfs = entry.lfs as { oid?: string; size?: number } | undefined;
      return lfs?.oid
        ? { path: entry.path, size: Number(lfs.size ?? entry.size), sha256: lfs.oid }
        : { path: entry.path, size: Number(entry.size), gitBlobId: typeof entry.oid === 'string' ? entry.oid : undefined };
    });
}

/** The files a model directory needs: config, the tokenizer files present, and one graph. */
export function selectFiles(files: RemoteFile[], precision: Precision): RemoteFile[] {
  const byPath = new Map(files.map((file) => [file.path, file]));
  const graph = byPath.get(ONNX_FILES[precision]);
  if (!graph) {
    const present = (Object.keys(ONNX_FILES) as Precision[]).filter((p) => byPath.has(ONNX_FILES[p]));
    throw new DownloadError(
      `The repository has no ${ONNX_FILES[precision]} (${precision}). ${present.length ? `It offers ${present.join(', ')}: change qwenRouter.classifier.precision.` : 'It holds no ONNX graph: check qwenRouter.classifier.downloadRepository.'}`,
    );
  }
  if (!byPath.has('config.json')) throw new DownloadError('The repository has no config.json: it is not a classifier model repository.');
  const tokenizer = TOKENIZER_FILES.filter((path) => byPath.has(path)).map((path) => byPath.get(path)!);
  if (!tokenizer.some((file) => file.path === 'tokenizer.json' || file.path === 'spm.model')) {
    throw new DownloadError('The repository has no tokenizer (tokenizer.json or spm.model).');
  }
  // Without tokenizer.json the SentencePiece model is needed; with it, spm.model is 2.5 MB of dead weight.
  const needed = tokenizer.filter((file) => !(file.path === 'spm.model' && byPath.has('tokenizer.json')));
  return [byPath.get('config.json')!, ...needed, graph];
}

/**
 * Downloads the model into a staging folder beside the target, resuming partial files, checking
 * each file's size and digest, and moving the folder into place only when everything is complete.
 */
export async function downloadModel(options: DownloadOptions): Promise<{ dir: string; files: RemoteFile[] }> {
  const fetchImpl = options.fetch ?? fetch;
  const files = selectFiles(await listRemoteFiles(options.source, fetchImpl, options.signal), options.precision);
  const pinned = options.manifest && options.manifest.repo === options.source.repo && options.manifest.revision === options.source.revision ? options.manifest : undefined;
  for (const file of files) {
    const pin = pinned?.files[file.path];
    if (pin && (pin.size !== file.size || (file.sha256 && pin.sha256 !== file.sha256))) {
      throw new DownloadError(`${file.path} on ${options.source.endpoint} does not match the pinned manifest (models/manifest.json). The mirror may serve another revision: try the default endpoint.`);
    }
  }

  const staging = `${options.targetDir}.partial`;
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  let doneBytes = 0;
  for (const file of files) {
    const pin = pinned?.files[file.path];
    await fetchFile(file, join(staging, file.path), { ...options, fetchImpl, expectedSha256: pin?.sha256 ?? file.sha256 }, (received) =>
      options.onProgress?.({ file: file.path, receivedBytes: doneBytes + received, totalBytes }),
    );
    doneBytes += file.size;
  }

  // Swap the finished folder in: the old model (if any) stays usable until this point.
  await fs.rm(options.targetDir, { recursive: true, force: true });
  await fs.mkdir(dirname(options.targetDir), { recursive: true });
  await fs.rename(staging, options.targetDir);
  return { dir: options.targetDir, files };
}

interface FetchFileOptions {
  source: DownloadSource;
  signal?: AbortSignal;
  fetchImpl: typeof fetch;
  expectedSha256?: string;
}

async function fetchFile(file: RemoteFile, destination: string, options: FetchFileOptions, onBytes: (received: number) => void): Promise<void> {
  const partial = `${destination}.part`;
  if (existsSync(destination) && (await verify(file, destination, options.expectedSha256)) === undefined) {
    onBytes(file.size);
    return; // completed and verified in an earlier, interrupted run
  }
  await fs.mkdir(dirname(destination), { recursive: true });
  let have = existsSync(partial) ? (await fs.stat(partial)).size : 0;
  if (have > file.size) {
    await fs.rm(partial);
    have = 0;
  }
  if (have < file.size || file.size === 0) {
    const headers: Record<string, string> = have > 0 ? { Range: `bytes=${have}-` } : {};
    const response = await request(options.fetchImpl, fileUrl(options.source, file.path), { headers, signal: options.signal }, options.source);
    if (have > 0 && response.status !== 206) have = 0; // the server ignored the range: start over
    const out = createWriteStream(partial, { flags: have > 0 ? 'a' : 'w' });
    let received = have;
    let oversized = false;
    onBytes(received);
    try {
      if (!response.body) throw new DownloadError(`${file.path}: the server sent no data.`);
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        // Leaving the loop cancels the body: a server that sends more than it declared is not read on.
        if (received + chunk.byteLength > file.size) {
          oversized = true;
          throw new DownloadError(`${file.path}: the server sent more than the declared ${file.size} bytes, so the download stopped. The endpoint may not be a Hugging Face hub or mirror: check qwenRouter.classifier.downloadEndpoint.`);
        }
        if (!out.write(chunk)) await once(out, 'drain');
        received += chunk.byteLength;
        onBytes(Math.min(received, file.size));
      }
    } catch (error) {
      if (error instanceof DownloadError) throw error;
      throw options.signal?.aborted ? cancelled() : new DownloadError(`The download of ${file.path} broke off after ${received} bytes (${(error as Error).message}). Run the command again to resume.`);
    } finally {
      out.end();
      await once(out, 'close');
      if (oversized) await fs.rm(partial, { force: true });
    }
  }
  const problem = await verify(file, partial, options.expectedSha256);
  if (problem) {
    await fs.rm(partial, { force: true });
    throw new DownloadError(`${file.path} failed its check: ${problem}. The partial file was removed; run the command again.`);
  }
  await fs.rename(partial, destination);
}

/** Checks a file against its declared size and digest; returns what is wrong, or undefined. */
async function verify(file: RemoteFile, path: string, sha256?: string): Promise<string | undefined> {
  const size = (await fs.stat(path)).size;
  if (size !== file.size) return `it has ${size} bytes, the hub declares ${file.size}`;
  if (sha256) {
    const actual = await digest(path, 'sha256');
    if (actual !== sha256) return `its sha256 is ${actual}, expected ${sha256}`;
  } else if (file.gitBlobId) {
    const actual = await digest(path, 'sha1', `blob ${size}\0`);
    if (actual !== file.gitBlobId) return `its git blob id is ${actual}, expected ${file.gitBlobId}`;
  }
  return undefined;
}

async function digest(path: string, algorithm: 'sha256' | 'sha1', prefix?: string): Promise<string> {
  const hash = createHash(algorithm);
  if (prefix) hash.update(prefix);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const cancelled = () => new DownloadError('The download was cancelled. Run the command again to resume where it stopped.');

async function request(fetchImpl: typeof fetch, url: string, init: RequestInit, source: DownloadSource): Promise<Response> {
  let response: Response;
  try {
    response = await fetchImpl(url, init);
  } catch (error) {
    if (init.signal?.aborted) throw cancelled();
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new DownloadError(
      `Could not reach ${source.endpoint} (${cause?.code ?? cause?.message ?? (error as Error).message}). Check your network or proxy, or set qwenRouter.classifier.downloadEndpoint to a mirror such as https://hf-mirror.com.`,
    );
  }
  if (response.ok) return response;
  const what = response.status === 404 ? `not found (repository ${source.repo}, revision ${source.revision})` : `HTTP ${response.status}`;
  throw new DownloadError(`${url}: ${what}. Check qwenRouter.classifier.downloadRepository and downloadRevision.`);
}
