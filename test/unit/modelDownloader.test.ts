import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadModel, DownloadError, type DownloadProgress } from '../../src/node/modelDownloader';
import { startHubStandIn, type HubFile, type HubStandIn } from '../support/hubStandIn';

const REPO = 'acme/classifier-onnx';
const REVISION = 'abc123';

function hubFiles(): HubFile[] {
  return [
    { path: 'config.json', content: Buffer.from('{"target_sizes": {}}') },
    { path: 'tokenizer.json', content: Buffer.from('{"model": {}}') },
    { path: 'tokenizer_config.json', content: Buffer.from('{}') },
    { path: 'spm.model', content: randomBytes(1000), lfs: true },
    { path: 'README.md', content: Buffer.from('# readme') },
    { path: 'onnx/model.onnx', content: randomBytes(300_000), lfs: true },
    { path: 'onnx/model_quantized.onnx', content: randomBytes(100_000), lfs: true },
  ];
}

describe('model download (against a local hub stand-in)', () => {
  let hub: HubStandIn;
  let files: HubFile[];
  let target: string;

  async function start(options: { wrongDigestFor?: string } = {}) {
    files = hubFiles();
    hub = await startHubStandIn(REPO, REVISION, files, options);
  }
  const source = () => ({ endpoint: hub.endpoint, repo: REPO, revision: REVISION });
  const content = (path: string) => files.find((f) => f.path === path)!.content;

  beforeEach(() => {
    target = join(mkdtempSync(join(tmpdir(), 'qr-download-')), 'models', 'classifier');
  });
  afterEach(async () => hub?.close());

  it('fetches only what the chosen precision needs, verified, and reports bytes up to the total', async () => {
    await start();
    const progress: DownloadProgress[] = [];
    const result = await downloadModel({ source: source(), precision: 'fp32', targetDir: target, onProgress: (p) => progress.push(p) });
    assert.deepEqual(result.files.map((f) => f.path).sort(), ['config.json', 'onnx/model.onnx', 'tokenizer.json', 'tokenizer_config.json']);
    assert.deepEqual(readFileSync(join(target, 'onnx/model.onnx')), content('onnx/model.onnx'));
    assert.deepEqual(readFileSync(join(target, 'config.json')), content('config.json'));
    assert.equal(existsSync(join(target, 'spm.model')), false, 'spm.model is not needed beside tokenizer.json');
    assert.equal(existsSync(`${target}.partial`), false);
    const total = 300_000 + content('config.json').length + content('tokenizer.json').length + content('tokenizer_config.json').length;
    assert.equal(progress.at(-1)?.receivedBytes, total);
    assert.equal(progress.at(-1)?.totalBytes, total);
    assert.ok(!hub.requests.some((r) => r.url.includes('README') || r.url.includes('quantized')));
  });

  it('resumes an interrupted file with a Range request and re-fetches nothing already complete', async () => {
    await start();
    hub.breakNextAfter('onnx/model.onnx', 120_000);
    await assert.rejects(downloadModel({ source: source(), precision: 'fp32', targetDir: target }), (error: Error) => {
      assert.ok(error instanceof DownloadError);
      assert.match(error.message, /broke off .*Run the command again to resume/);
      return true;
    });
    assert.equal(existsSync(target), false, 'nothing is moved into place before every file is complete');
    const onDisk = statSync(`${target}.partial/onnx/model.onnx.part`).size;
    assert.ok(onDisk > 0 && onDisk < 300_000);
    hub.requests.length = 0;
    await downloadModel({ source: source(), precision: 'fp32', targetDir: target });
    const modelRequests = hub.requests.filter((r) => r.url.endsWith('onnx/model.onnx'));
    assert.equal(modelRequests.length, 1);
    assert.equal(modelRequests[0].range, `bytes=${onDisk}-`, 'resumes from the bytes already on disk');
    assert.ok(!hub.requests.some((r) => r.url.endsWith('/config.json')), 'config.json was already complete');
    assert.deepEqual(readFileSync(join(target, 'onnx/model.onnx')), content('onnx/model.onnx'));
  });

  it('rejects a file whose sha256 does not match what the hub declares, and keeps the old model', async () => {
    await start({ wrongDigestFor: 'onnx/model_quantized.onnx' });
    mkdirSync(join(target, 'onnx'), { recursive: true });
    writeFileSync(join(target, 'config.json'), 'old model');
    await assert.rejects(downloadModel({ source: source(), precision: 'int8', targetDir: target }), /model_quantized\.onnx failed its check: its sha256 is/);
    assert.equal(readFileSync(join(target, 'config.json'), 'utf8'), 'old model');
    assert.equal(existsSync(`${target}.partial/onnx/model_quantized.onnx.part`), false, 'a corrupt partial file is removed');
  });

  it('stops reading a file at its declared size: a server that sends more is cut off, not read to the end', async () => {
    await start();
    const declared = content('config.json').length;
    hub.oversendNext('config.json', 64 * 1024 * 1024);
    await assert.rejects(downloadModel({ source: source(), precision: 'fp32', targetDir: target }), (error: Error) => {
      assert.ok(error instanceof DownloadError);
      assert.match(error.message, new RegExp(`config\\.json: the server sent more than the declared ${declared} bytes`));
      return true;
    });
    // Socket buffers let a few MB through before the close is seen; reading on would take all 64 MB.
    assert.ok(hub.oversentBytes < 16 * 1024 * 1024, `the stand-in sent ${hub.oversentBytes} bytes before the download let go`);
    assert.equal(existsSync(`${target}.partial/config.json.part`), false, 'the oversized partial file is removed');
    assert.equal(existsSync(target), false);
  });

  it('checks plain files against their git blob id', async () => {
    await start({ wrongDigestFor: 'config.json' });
    await assert.rejects(downloadModel({ source: source(), precision: 'fp32', targetDir: target }), /config\.json failed its check: its git blob id/);
  });

  it('checks files against a pinned manifest for the same repository and revision', async () => {
    await start();
    const manifest = { repo: REPO, revision: REVISION, files: { 'onnx/model.onnx': { size: 299_999, sha256: 'f'.repeat(64) } } };
    await assert.rejects(downloadModel({ source: source(), precision: 'fp32', targetDir: target, manifest }), /does not match the pinned manifest/);
    const otherRevision = { ...manifest, revision: 'other' };
    await downloadModel({ source: source(), precision: 'fp32', targetDir: target, manifest: otherRevision });
  });

  it('cancels mid-file through the AbortSignal, then resumes', async () => {
    await start();
    const stall = hub.stall('onnx/model.onnx');
    const controller = new AbortController();
    const attempt = downloadModel({
      source: source(),
      precision: 'fp32',
      targetDir: target,
      signal: controller.signal,
      onProgress: (p) => p.file === 'onnx/model.onnx' && p.receivedBytes > 0 && controller.abort(),
    });
    await assert.rejects(attempt, /cancelled/);
    stall.release();
    assert.equal(existsSync(target), false);
    await downloadModel({ source: source(), precision: 'fp32', targetDir: target });
    assert.deepEqual(readFileSync(join(target, 'onnx/model.onnx')), content('onnx/model.onnx'));
  });

  it('names the precisions a repository offers when the chosen one is absent', async () => {
    await start();
    await assert.rejects(downloadModel({ source: source(), precision: 'fp16', targetDir: target }), /no onnx\/model_fp16\.onnx \(fp16\)\. It offers fp32, int8/);
  });

  it('explains an unreachable endpoint and suggests a mirror', async () => {
    await start();
    const endpoint = hub.endpoint;
    await hub.close();
    await assert.rejects(downloadModel({ source: { endpoint, repo: REPO, revision: REVISION }, precision: 'fp32', targetDir: target }), /Could not reach .*hf-mirror\.com/);
  });

  it('explains a wrong repository or revision', async () => {
    await start();
    await assert.rejects(downloadModel({ source: { ...source(), revision: 'nope' }, precision: 'fp32', targetDir: target }), /not found \(repository acme\/classifier-onnx, revision nope\)/);
  });
});
