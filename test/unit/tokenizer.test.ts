import * as assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Tokenizer } from 'tokenizers';
import {
  loadPromptTokenizer,
  ModelFormatError,
  readSpmConversionOptions,
  spmToTokenizerJson,
  type PromptTokenizer,
} from '../../src/core/classifier/tokenizer';

// The compiled test runs from out/test/unit/.
const FIXTURES = path.resolve(__dirname, '../../../test/fixtures');
const JSON_DIR = path.join(FIXTURES, 'tiny-model-json');
const SPM_DIR = path.join(FIXTURES, 'tiny-model-spm');

interface Golden {
  prompt: string;
  input_ids: number[];
}
const goldens: Golden[] = JSON.parse(readFileSync(path.join(FIXTURES, 'golden-ids.json'), 'utf8'));

/** The reference: the whole text through the HF tokenizer, then [CLS] + first (max-2) pieces + [SEP]. */
async function wholeTextIds(raw: Tokenizer, text: string, maxLength = 512): Promise<number[]> {
  const wellFormed = (text as unknown as { toWellFormed(): string }).toWellFormed();
  const encoding = await raw.encode(wellFormed, null, { addSpecialTokens: false });
  return [1, ...encoding.getIds().slice(0, maxLength - 2), 2];
}

/** A deterministic pseudo-random generator (mulberry32) so failures are reproducible. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'the', 'quick', 'brown', 'fox', 'jumps', 'over', 'lazy', 'dog', 'Write', 'a', 'Python', 'script', 'for', 'loop',
  'summarize', 'article', '3.14159', '2024', 'café', 'naïve', 'e\u0301', '今天天气很好', '我们', '，', '。', '🙂', '🚀',
  '(x)', '"quoted"', 'don\'t', '[MASK]', 'Ｆｕｌｌ', '①', 'ﬁ', '\u200b', '...', '--', 'https://example.org/a?b=c',
];
const SEPARATORS = [' ', ' ', ' ', '  ', '\n', '\t', '\r\n', ' \n ', '', '\u3000', '\u00a0'];

function randomText(next: () => number, words: number): string {
  let text = '';
  for (let i = 0; i < words; i++) {
    text += WORDS[Math.floor(next() * WORDS.length)] + SEPARATORS[Math.floor(next() * SEPARATORS.length)];
  }
  return text;
}

function garbage(next: () => number, length: number): string {
  const units: number[] = [];
  for (let i = 0; i < length; i++) {
    const r = next();
    if (r < 0.05) units.push(0); // NUL
    else if (r < 0.1) units.push(0xd800 + Math.floor(next() * 0x800)); // lone (or accidentally paired) surrogates
    else if (r < 0.2) units.push(0x20);
    else if (r < 0.3) units.push(Math.floor(next() * 0x20)); // control characters
    else units.push(Math.floor(next() * 0x10000));
  }
  let text = '';
  for (let i = 0; i < units.length; i += 8192) text += String.fromCharCode(...units.slice(i, i + 8192));
  return text;
}

/** About `bytes` of varied English prose with code and numbers. */
function longEnglish(bytes: number): string {
  const next = random(7);
  const sentences = goldens.map((g) => g.prompt).filter((p) => /^[\x20-\x7e\n]+$/.test(p));
  let text = '';
  while (text.length < bytes) text += sentences[Math.floor(next() * sentences.length)] + (next() < 0.2 ? '\n\n' : ' ');
  return text;
}

/** Offsets of the top-level fields of a protobuf message (all length-delimited in a ModelProto). */
function topLevelFields(bytes: Uint8Array): Array<{ field: number; start: number }> {
  const fields: Array<{ field: number; start: number }> = [];
  const varint = (at: number): [number, number] => {
    let value = 0;
    let shift = 1;
    for (;;) {
      const byte = bytes[at++];
      value += (byte & 0x7f) * shift;
      shift *= 128;
      if (byte < 0x80) return [value, at];
    }
  };
  for (let at = 0; at < bytes.length; ) {
    const start = at;
    const [tag, afterTag] = varint(at);
    assert.equal(tag & 7, 2, 'length-delimited field');
    const [length, afterLength] = varint(afterTag);
    fields.push({ field: Math.floor(tag / 8), start });
    at = afterLength + length;
  }
  return fields;
}

describe('tokenizer', function () {
  this.timeout(60_000);
  let fromJson: PromptTokenizer;
  let fromSpm: PromptTokenizer;
  let raw: Tokenizer;
  const temporary: string[] = [];

  before(async () => {
    fromJson = await loadPromptTokenizer(JSON_DIR);
    fromSpm = await loadPromptTokenizer(SPM_DIR);
    raw = Tokenizer.fromFile(path.join(JSON_DIR, 'tokenizer.json'));
  });

  after(() => {
    for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
  });

  function scratchDir(files: Record<string, string | Buffer> = {}): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'qwen-router-tokenizer-'));
    temporary.push(dir);
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
    return dir;
  }

  it('describes what it loaded', () => {
    assert.equal(fromJson.format, 'tokenizer.json');
    assert.equal(fromSpm.format, 'spm.model');
    for (const t of [fromJson, fromSpm]) {
      assert.deepEqual([t.clsId, t.sepId, t.padId, t.maxLength], [1, 2, 0, 512]);
    }
  });

  it('gives the SentencePiece golden ids from tokenizer.json', async () => {
    assert.ok(goldens.length >= 40);
    for (const { prompt, input_ids } of goldens) {
      assert.deepEqual(await fromJson.encode(prompt), input_ids, JSON.stringify(prompt.slice(0, 80)));
    }
  });

  it('gives the SentencePiece golden ids from spm.model alone', async () => {
    for (const { prompt, input_ids } of goldens) {
      assert.deepEqual(await fromSpm.encode(prompt), input_ids, JSON.stringify(prompt.slice(0, 80)));
    }
  });

  it('converts spm.model to exactly the committed tokenizer.json', () => {
    const converted = spmToTokenizerJson(readFileSync(path.join(SPM_DIR, 'spm.model')), readSpmConversionOptions(SPM_DIR));
    const committed = JSON.parse(readFileSync(path.join(JSON_DIR, 'tokenizer.json'), 'utf8'));
    assert.deepEqual(JSON.parse(JSON.stringify(converted)), committed);
  });

  it('honours do_lower_case and split_by_punct when converting', () => {
    const bytes = readFileSync(path.join(SPM_DIR, 'spm.model'));
    const json = spmToTokenizerJson(bytes, { doLowerCase: true, splitByPunct: true, legacy: false });
    assert.deepEqual(json.normalizer.normalizers[0], { type: 'Lowercase' });
    assert.deepEqual(json.pre_tokenizer.pretokenizers[0], { type: 'Punctuation', behavior: 'Isolated' });
    assert.equal(json.pre_tokenizer.pretokenizers[1].prepend_scheme, 'first');
    // Without added_tokens.json, the special [MASK] still gets the first id after the vocabulary.
    const mask = spmToTokenizerJson(bytes, { specialTokens: ['[MASK]', '[CLS]', '[SEP]', '[UNK]', '[PAD]'] }).added_tokens;
    assert.deepEqual(mask.map((t) => [t.id, t.content, t.special]), [
      [0, '[PAD]', true], [1, '[CLS]', true], [2, '[SEP]', true], [3, '[UNK]', true], [1000, '[MASK]', true],
    ]);
  });

  it('agrees between the two formats beyond the goldens', async () => {
    const next = random(1);
    const extra = [
      'literal [MASK] and [CLS] in text', 'ends with a zero-width space\u200b', 'ends with a BOM\ufeff', '', '   ',
      '\u0000', 'e\u0301\u0301\u0301', '👩‍💻 ZWJ emoji', 'İ', 'ß and ẞ', 'x\ud800y', ...Array.from({ length: 40 }, () => randomText(next, 30)),
    ];
    for (const text of extra) assert.deepEqual(await fromSpm.encode(text), await fromJson.encode(text), JSON.stringify(text));
  });

  it('truncates to 512 ids with [SEP] last', async () => {
    const long = goldens.find((g) => g.prompt.split(' ').length > 600);
    assert.ok(long, 'the goldens hold a prompt of more than 600 words');
    const ids = await fromJson.encode(long.prompt);
    assert.equal(ids.length, 512);
    assert.equal(ids[0], 1);
    assert.equal(ids[511], 2);
    assert.ok(!ids.slice(1, 511).includes(2));
    // The goldens also hold prompts of exactly 510 pieces (kept whole) and 511 (the last one cut).
    const lengths = goldens.map((g) => g.input_ids.length);
    assert.ok(lengths.filter((n) => n === 512).length >= 3);
  });

  it('honours a smaller maxLength', async () => {
    const short = await loadPromptTokenizer(JSON_DIR, { maxLength: 8 });
    const ids = await short.encode('Summarize the following article in three sentences for a busy reader.');
    assert.equal(ids.length, 8);
    assert.deepEqual(ids, await wholeTextIds(raw, 'Summarize the following article in three sentences for a busy reader.', 8));
    assert.deepEqual(await short.encode('hi'), [1, ...(await raw.encode('hi', null, { addSpecialTokens: false })).getIds(), 2]);
  });

  it('encodes a 1 MB prompt like the whole text, from its first chunk', async () => {
    const text = longEnglish(1 << 20);
    const expected = await wholeTextIds(raw, text);
    assert.equal(expected.length, 512);
    assert.deepEqual(await fromJson.encode(text), expected);
    assert.deepEqual(await fromSpm.encode(text), expected);
    // Same ids as the first few thousand characters alone: the rest of the megabyte is never tokenized.
    const firstChunk = text.slice(0, text.lastIndexOf(' ', 4096));
    assert.deepEqual(await fromJson.encode(firstChunk), expected);
  });

  it('encodes 1 MB without any whitespace (Chinese) like the whole text', async () => {
    const text = '今天天气很好我们去公园散步吧机器学习模型从数据中学习规律'.repeat(40_000);
    assert.deepEqual(await fromJson.encode(text), await wholeTextIds(raw, text));
  });

  it('cuts long runs without spaces exactly (vocabulary-forced boundaries, then the 64K-character cut)', async () => {
    const runs = [
      'ab'.repeat(100_000), // no boundary the vocabulary forces: cut hard after 64K characters
      'ha'.repeat(100_000),
      'a'.repeat(200_000),
      '=-'.repeat(100_000),
      '0123456789'.repeat(20_000),
      Buffer.from(Array.from({ length: 150_000 }, (_, i) => (i * 2654435761) >>> 24)).toString('base64'),
      'Ｆｕｌｌｗｉｄｔｈ①ﬁ'.repeat(20_000), // characters the normalizer rewrites are never cut points
    ];
    for (const text of runs) assert.deepEqual(await fromJson.encode(text), await wholeTextIds(raw, text), text.slice(0, 20));
  });

  it('matches whole-text tokenization around every kind of cut (small chunks, many texts)', async () => {
    const next = random(42);
    for (const [maxLength, initialChunkChars] of [[12, 8], [40, 16], [100, 64], [512, 300]] as const) {
      const tokenizer = await loadPromptTokenizer(JSON_DIR, { maxLength, initialChunkChars });
      for (let i = 0; i < 60; i++) {
        const text = next() < 0.8 ? randomText(next, 5 + Math.floor(next() * 400)) : garbage(next, Math.floor(next() * 3000));
        assert.deepEqual(await tokenizer.encode(text), await wholeTextIds(raw, text, maxLength), `max ${maxLength}, text ${i}: ${JSON.stringify(text.slice(0, 60))}`);
      }
    }
  });

  it('never throws on garbage, NUL bytes, lone surrogates or 1 MB of binary', async () => {
    const next = random(3);
    const inputs = [
      '\u0000', '\u0000\u0000abc\u0000', '\ud800', '\udc00', 'a\udc00\ud800b', '\ud83d', '\uffff\ufffe', '\u202e\u200f',
      garbage(next, 5000), garbage(next, 1 << 20), readFileSync(path.join(SPM_DIR, 'spm.model')).toString('latin1'),
      readFileSync(path.join(SPM_DIR, 'onnx/model.onnx')).toString('utf8'),
    ];
    for (const text of inputs) {
      for (const tokenizer of [fromJson, fromSpm]) {
        const ids = await tokenizer.encode(text);
        assert.ok(ids.length >= 2 && ids.length <= 512);
        assert.equal(ids[0], 1);
        assert.equal(ids[ids.length - 1], 2);
        assert.ok(ids.every((id) => Number.isInteger(id) && id >= 0 && id <= 1000));
      }
    }
    // Lone surrogates are read as U+FFFD, deterministically.
    assert.deepEqual(await fromJson.encode('a\ud800b'), await fromJson.encode('a\ufffdb'));
  });

  it('returns [CLS] [SEP] for empty and blank text', async () => {
    for (const text of ['', ' ', '\n\t  \r\n']) assert.deepEqual(await fromJson.encode(text), [1, 2]);
  });

  it('fails with an actionable ModelFormatError when the tokenizer files are missing', async () => {
    const empty = scratchDir({ 'config.json': '{}' });
    await assert.rejects(loadPromptTokenizer(empty), (error: unknown) => {
      assert.ok(error instanceof ModelFormatError);
      assert.match(error.message, /tokenizer\.json/);
      assert.match(error.message, /spm\.model/);
      assert.match(error.message, /[Dd]ownload/);
      return true;
    });
    await assert.rejects(loadPromptTokenizer(path.join(empty, 'does-not-exist')), ModelFormatError);
    const bert = scratchDir({ 'vocab.txt': '[PAD]\n[UNK]\n' });
    await assert.rejects(loadPromptTokenizer(bert), /vocab\.txt, which is not DeBERTa-v3's tokenizer/);
  });

  it('says so when a tokenizer file is a Git LFS pointer', async () => {
    const pointer = 'version https://git-lfs.github.com/spec/v1\noid sha256:0123\nsize 8657212\n';
    for (const name of ['tokenizer.json', 'spm.model']) {
      await assert.rejects(loadPromptTokenizer(scratchDir({ [name]: pointer })), (error: unknown) => {
        assert.ok(error instanceof ModelFormatError);
        assert.match(error.message, /Git LFS pointer/);
        return true;
      });
    }
  });

  it('fails with ModelFormatError on a corrupt spm.model', async () => {
    const good = readFileSync(path.join(SPM_DIR, 'spm.model'));
    const next = random(9);
    // A file cut exactly where a top-level field starts still decodes as protobuf.
    const fieldStart = (field: number) => topLevelFields(good).find((f) => f.field === field)!.start;
    const corrupt: Array<[string, Buffer]> = [
      ['truncated', good.subarray(0, 1000)],
      ['cut before the trainer spec', good.subarray(0, fieldStart(2))],
      ['cut before the normalizer spec', good.subarray(0, fieldStart(3))],
      ['text', Buffer.from('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 2464616\n')],
      ['empty', Buffer.alloc(0)],
      ['random', Buffer.from(Array.from({ length: 4096 }, () => Math.floor(next() * 256)))],
      ['html', Buffer.from('<!DOCTYPE html><html><body>Not Found</body></html>')],
    ];
    for (const [name, bytes] of corrupt) {
      const dir = scratchDir({ 'spm.model': bytes });
      for (const file of ['special_tokens_map.json', 'added_tokens.json', 'tokenizer_config.json']) {
        copyFileSync(path.join(SPM_DIR, file), path.join(dir, file));
      }
      await assert.rejects(loadPromptTokenizer(dir), (error: unknown) => {
        assert.ok(error instanceof ModelFormatError, `${name}: ${String(error)}`);
        assert.match(error.message, /spm\.model/, name);
        assert.match(error.message, /download/i, name);
        return true;
      });
    }
  });

  it('fails with ModelFormatError on a corrupt tokenizer.json or tokenizer_config.json', async () => {
    const truncated = readFileSync(path.join(JSON_DIR, 'tokenizer.json'), 'utf8').slice(0, 5000);
    await assert.rejects(loadPromptTokenizer(scratchDir({ 'tokenizer.json': truncated })), (error: unknown) => {
      assert.ok(error instanceof ModelFormatError);
      assert.match(error.message, /tokenizer\.json/);
      return true;
    });
    const dir = scratchDir({ 'tokenizer_config.json': '{ not json' });
    copyFileSync(path.join(SPM_DIR, 'spm.model'), path.join(dir, 'spm.model'));
    await assert.rejects(loadPromptTokenizer(dir), ModelFormatError);
  });

  it('prefers tokenizer.json when both formats are present', async () => {
    const dir = scratchDir();
    for (const file of ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json']) {
      copyFileSync(path.join(JSON_DIR, file), path.join(dir, file));
    }
    copyFileSync(path.join(SPM_DIR, 'spm.model'), path.join(dir, 'spm.model'));
    assert.equal((await loadPromptTokenizer(dir)).format, 'tokenizer.json');
  });
});
