/**
 * The classifier's tokenizer: DeBERTa-v3's SentencePiece Unigram vocabulary, run by Hugging Face's Rust
 * `tokenizers` library (its Node binding) for both formats a model directory may hold:
 *
 * - tokenizer.json (the fast tokenizer NeMo Curator / transformers use) is loaded as it is;
 * - spm.model alone (SentencePiece protobuf) is converted in memory to the tokenizer.json that
 *   transformers' DebertaV2Converter would write, then loaded the same way.
 *
 * One engine therefore serves both, and the ids are those of the reference pipeline:
 * `[CLS] pieces [SEP]`, at most 512 ids. Pure Node: no `vscode` import.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as protobuf from 'protobufjs';
import { Tokenizer, type Normalizer } from 'tokenizers';
import { ModelFormatError } from './errors';

export { ModelFormatError };

export const DEFAULT_MAX_IDS = 512;

export interface PromptTokenizer {
  /** Which file the vocabulary came from. */
  readonly format: 'tokenizer.json' | 'spm.model';
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  /** Most ids `encode` returns, [CLS] and [SEP] included. */
  readonly maxLength: number;
  /**
   * `[CLS] pieces [SEP]`, cut to `maxLength` ids ([CLS] + the first maxLength-2 pieces + [SEP]): what
   * tokenizing the whole text and truncating gives. Long text is cut before tokenizing, at a place that
   * provably leaves the earlier pieces alone, so a 1 MB prompt costs about what a page does. (Only text
   * with no such place in its first 64K characters is cut blindly there, with a 128-piece margin.)
   * Never throws on odd input (lone surrogates, NUL, binary).
   */
  encode(text: string): Promise<number[]>;
}

export interface LoadTokenizerOptions {
  /** Most ids per prompt, [CLS] and [SEP] included (default 512, the model's limit). */
  maxLength?: number;
  /** Characters tokenized on the first attempt (default 4096); the prefix doubles while it is too short. */
  initialChunkChars?: number;
}

// ------------------------------------------------------------------------------------------------
// Loading

/** Loads the tokenizer of a model directory: tokenizer.json when present, otherwise spm.model. */
export async function loadPromptTokenizer(modelDir: string, options: LoadTokenizerOptions = {}): Promise<PromptTokenizer> {
  const maxLength = options.maxLength ?? DEFAULT_MAX_IDS;
  const initialChunkChars = options.initialChunkChars ?? 4096;
  if (!Number.isInteger(maxLength) || maxLength < 2) throw new RangeError(`maxLength must be an integer >= 2, got ${maxLength}`);
  if (!Number.isInteger(initialChunkChars) || initialChunkChars < 1) {
    throw new RangeError(`initialChunkChars must be a positive integer, got ${initialChunkChars}`);
  }
  if (!isDirectory(modelDir)) {
    throw new ModelFormatError(
      `The model directory ${modelDir} does not exist. Download the classifier model again, or point the model path setting at a directory holding config.json, tokenizer.json (or spm.model) and onnx/model.onnx.`,
    );
  }
  const jsonPath = join(modelDir, 'tokenizer.json');
  const spmPath = join(modelDir, 'spm.model');
  const names = readSpecialTokenNames(modelDir);

  let tokenizer: Tokenizer;
  let format: PromptTokenizer['format'];
  if (isFile(jsonPath)) {
    format = 'tokenizer.json';
    rejectLfsPointer(jsonPath);
    try {
      tokenizer = Tokenizer.fromFile(jsonPath);
    } catch (error) {
      throw new ModelFormatError(
        `${jsonPath} could not be read as a Hugging Face tokenizer (${errorText(error)}). The file is probably truncated or corrupt: delete it and download the model again.`,
        { cause: error },
      );
    }
  } else if (isFile(spmPath)) {
    format = 'spm.model';
    rejectLfsPointer(spmPath);
    const json = spmToTokenizerJson(readFileSync(spmPath), readSpmConversionOptions(modelDir), spmPath);
    try {
      tokenizer = Tokenizer.fromString(JSON.stringify(json));
    } catch (error) {
      throw new ModelFormatError(
        `${spmPath} could not be turned into a tokenizer (${errorText(error)}). Delete it and download the model again.`,
        { cause: error },
      );
    }
  } else {
    const others = ['vocab.txt', 'vocab.json', 'merges.txt', 'sentencepiece.bpe.model', 'tokenizer.model'].filter((name) =>
      isFile(join(modelDir, name)),
    );
    const found = others.length > 0 ? ` It holds ${others.join(', ')}, which is not DeBERTa-v3's tokenizer.` : '';
    throw new ModelFormatError(
      `${modelDir} has no tokenizer: it needs tokenizer.json (Hugging Face fast tokenizer) or spm.model (SentencePiece, with special_tokens_map.json and added_tokens.json).${found} Download the model again, or copy these files from the model's Hugging Face repository into the directory.`,
    );
  }

  const source = format === 'tokenizer.json' ? jsonPath : spmPath;
  const idOf = (role: string, token: string): number => {
    const id = tokenizer.tokenToId(token);
    if (id === null || id === undefined) {
      throw new ModelFormatError(
        `${source} has no ${role} token "${token}", which the classifier needs. This is not a DeBERTa-v3 tokenizer: use the model's own tokenizer files.`,
      );
    }
    return id;
  };
  const clsId = idOf('classification', names.cls);
  const sepId = idOf('separator', names.sep);
  const padId = tokenizer.tokenToId(names.pad) ?? 0;
  return new HfPromptTokenizer(tokenizer, format, clsId, sepId, padId, maxLength, initialChunkChars, safeCutCharacters(tokenizer));
}

interface SpecialTokenNames {
  cls: string;
  sep: string;
  pad: string;
}

/** [CLS]/[SEP]/[PAD] names from special_tokens_map.json, else tokenizer_config.json, else DeBERTa's. */
function readSpecialTokenNames(modelDir: string): SpecialTokenNames {
  const map = readJsonObject(join(modelDir, 'special_tokens_map.json'));
  const config = readJsonObject(join(modelDir, 'tokenizer_config.json'));
  const pick = (key: string, fallback: string) => tokenContent(map[key]) ?? tokenContent(config[key]) ?? fallback;
  return { cls: pick('cls_token', '[CLS]'), sep: pick('sep_token', '[SEP]'), pad: pick('pad_token', '[PAD]') };
}

// ------------------------------------------------------------------------------------------------
// Encoding

/** Extra pieces a prefix cut at an exact boundary must yield before its result is trusted (belt and braces). */
const EXACT_CUT_MARGIN = 8;
/** Without any exact boundary within this many characters, the text is cut there regardless... */
const HARD_CUT_CHARS = 65_536;
/** ...and then the prefix must yield this many extra pieces (a cut run's best path in practice only changes near the cut). */
const HARD_CUT_MARGIN = 128;
/** A word cut may only follow a letter, digit or punctuation mark (none of them normalizes to a trailing space). */
const BEFORE_CUT = /[\p{L}\p{N}\p{P}]/u;
/** Characters that join the grapheme cluster of the character before them. */
const JOINS_PREVIOUS = /[\p{M}\p{Emoji_Modifier}\u200C\u200D\uFF9E\uFF9F\u{E0020}-\u{E007F}]/u;
/** Characters around a vocabulary-forced boundary. */
const PLAIN = /^[\p{L}\p{N}\p{P}\p{S}]$/u;

class HfPromptTokenizer implements PromptTokenizer {
  /** Adjacent code-point pairs found inside vocabulary pieces or added tokens (built on first need). */
  private piecePairs: Set<number> | undefined;
  private readonly normalizer: Normalizer | null;

  constructor(
    private readonly tokenizer: Tokenizer,
    readonly format: PromptTokenizer['format'],
    readonly clsId: number,
    readonly sepId: number,
    readonly padId: number,
    readonly maxLength: number,
    private readonly initialChunkChars: number,
    private readonly cutCharacters: ReadonlySet<string>,
  ) {
    this.normalizer = tokenizer.getNormalizer();
  }

  async encode(text: string): Promise<number[]> {
    const input = typeof text === 'string' ? text : String(text ?? '');
    const maxPieces = this.maxLength - 2;
    let limit = this.initialChunkChars;
    for (;;) {
      let cut = input.length;
      let enough = 0;
      if (input.length > limit) {
        const exact = this.exactCut(input, limit);
        if (exact !== undefined) {
          cut = exact;
          enough = maxPieces + EXACT_CUT_MARGIN;
        } else if (limit >= HARD_CUT_CHARS) {
          cut = hardCut(input, limit);
          enough = maxPieces + HARD_CUT_MARGIN;
        } else {
          limit *= 2; // no safe place to cut yet: look further before tokenizing anything
          continue;
        }
      }
      const pieces = await this.pieces(input.slice(0, cut));
      if (cut >= input.length || pieces.length >= enough) {
        return [this.clsId, ...pieces.slice(0, maxPieces), this.sepId];
      }
      limit *= 2;
    }
  }

  private async pieces(text: string): Promise<number[]> {
    const encoding = await this.tokenizer.encode(wellFormed(text), null, { addSpecialTokens: false });
    return encoding.getIds();
  }

  /**
   * A place in the second half of [0, limit] where cutting the text cannot change the pieces before the
   * cut, so the prefix's pieces are a prefix of the whole text's pieces:
   * 1. just before a whitespace character the normalizer turns into a word-separating space (the
   *    pre-tokenizer then tokenizes the words before it exactly as in the whole text);
   * 2. failing that (long runs without spaces, e.g. Chinese), between two characters that the normalizer
   *    leaves alone and that no vocabulary piece holds side by side: no piece can span the place, so the
   *    Unigram lattice splits there and its best path is the best path of each side.
   */
  private exactCut(text: string, limit: number): number | undefined {
    const lowest = Math.max(1, Math.floor(limit / 2));
    for (let i = limit; i >= lowest; i--) {
      if (this.isWordCut(text, i)) return i;
    }
    for (let i = limit; i >= lowest; i--) {
      if (this.isForcedBoundary(text, i)) return i;
    }
    return undefined;
  }

  private isWordCut(text: string, i: number): boolean {
    if (!this.cutCharacters.has(text[i])) return false;
    if (!BEFORE_CUT.test(text[i - 1])) return false;
    const next = text.codePointAt(i + 1);
    return next === undefined || !JOINS_PREVIOUS.test(String.fromCodePoint(next));
  }

  private isForcedBoundary(text: string, i: number): boolean {
    const unit = text.charCodeAt(i);
    if (unit >= 0xdc00 && unit <= 0xdfff) return false; // inside a surrogate pair
    const before = codePointBefore(text, i);
    const after = text.codePointAt(i);
    if (before === undefined || after === undefined) return false;
    const beforeChar = String.fromCodePoint(before);
    const afterChar = String.fromCodePoint(after);
    if (!PLAIN.test(beforeChar) || !PLAIN.test(afterChar) || JOINS_PREVIOUS.test(afterChar)) return false;
    if (this.pairs().has(pairKey(before, after))) return false;
    // The normalizer must leave the neighbourhood as it is (no composition, mapping or removal across it).
    const start = Math.max(0, i - beforeChar.length - 2);
    const end = Math.min(text.length, i + afterChar.length + 2);
    const window = wellFormed(text.slice(start, end));
    try {
      return !this.normalizer || this.normalizer.normalizeString(window) === window;
    } catch {
      return false;
    }
  }

  private pairs(): Set<number> {
    if (this.piecePairs) return this.piecePairs;
    const pairs = new Set<number>();
    for (const piece of Object.keys(this.tokenizer.getVocab(true))) {
      let previous: number | undefined;
      for (const ch of piece) {
        const cp = ch.codePointAt(0)!;
        if (previous !== undefined) pairs.add(pairKey(previous, cp));
        previous = cp;
      }
    }
    this.piecePairs = pairs;
    return pairs;
  }
}

function pairKey(first: number, second: number): number {
  return first * 0x110000 + second;
}

function codePointBefore(text: string, i: number): number | undefined {
  if (i <= 0) return undefined;
  const low = text.charCodeAt(i - 1);
  if (low >= 0xdc00 && low <= 0xdfff && i >= 2) {
    const high = text.charCodeAt(i - 2);
    if (high >= 0xd800 && high <= 0xdbff) return (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
  }
  return low;
}

/** Cut at `limit`, but not between the halves of a surrogate pair. */
function hardCut(text: string, limit: number): number {
  const high = text.charCodeAt(limit - 1);
  const low = text.charCodeAt(limit);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff ? limit - 1 : limit;
}

/**
 * The whitespace characters at which cutting the text cannot change the pieces before the cut: those the
 * normalizer turns into a single space between two words that the pre-tokenizer then splits apart.
 * Measured on the loaded tokenizer rather than assumed (an empty set disables clean cuts).
 */
function safeCutCharacters(tokenizer: Tokenizer): Set<string> {
  const normalizer = tokenizer.getNormalizer();
  const preTokenizer = tokenizer.getPreTokenizer();
  const safe = new Set<string>();
  if (!preTokenizer) return safe;
  try {
    const words = preTokenizer.preTokenizeString(normalizer ? normalizer.normalizeString('ab cd') : 'ab cd');
    if (words.length !== 2) return safe;
    for (const ch of [' ', '\t', '\n', '\r']) {
      const normalized = normalizer ? normalizer.normalizeString(`ab${ch}cd`) : `ab${ch}cd`;
      if (normalized === 'ab cd') safe.add(ch);
    }
  } catch {
    safe.clear();
  }
  return safe;
}

/** Lone surrogates become U+FFFD, as they would on the way to Rust anyway, but deterministically. */
function wellFormed(text: string): string {
  const native = (text as { toWellFormed?: () => string }).toWellFormed;
  if (typeof native === 'function') return native.call(text);
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

// ------------------------------------------------------------------------------------------------
// spm.model -> tokenizer.json (what transformers' DebertaV2Converter produces)

/** The parts of an HF tokenizer.json this module writes (the library reads it back). */
export interface TokenizerJson {
  version: string;
  truncation: null;
  padding: null;
  added_tokens: AddedTokenJson[];
  normalizer: { type: 'Sequence'; normalizers: Record<string, unknown>[] };
  pre_tokenizer: { type: 'Sequence'; pretokenizers: Record<string, unknown>[] };
  post_processor: Record<string, unknown>;
  decoder: Record<string, unknown>;
  model: { type: 'Unigram'; unk_id: number; vocab: [string, number][]; byte_fallback: boolean };
}

export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

export interface SpmConversionOptions {
  /** tokenizer_config.json `do_lower_case` (DeBERTa-v3: false). */
  doLowerCase?: boolean;
  /** tokenizer_config.json `split_by_punct` (DeBERTa-v3: false). */
  splitByPunct?: boolean;
  /** tokenizer_config.json `add_prefix_space` (default true: a "▁" is prepended). */
  addPrefixSpace?: boolean;
  /** tokenizer_config.json `legacy` (default true: prepend_scheme "always"; false: "first"). */
  legacy?: boolean;
  clsToken?: string;
  sepToken?: string;
  /** Contents of every special token (special_tokens_map.json values). */
  specialTokens?: string[];
  /** Tokens beyond the SentencePiece vocabulary or with explicit flags (added_tokens.json, added_tokens_decoder). */
  addedTokens?: Array<Partial<AddedTokenJson> & { id: number; content: string }>;
}

const PIECE_UNKNOWN = 2;
const PIECE_CONTROL = 3;
const PIECE_USER_DEFINED = 4;
const MODEL_UNIGRAM = 1;
const METASPACE = '\u2581';

/** The few fields of sentencepiece_model.proto needed here (field numbers as in the .proto). */
const SPM_SCHEMA = protobuf.Root.fromJSON({
  nested: {
    ModelProto: {
      fields: {
        pieces: { rule: 'repeated', type: 'SentencePiece', id: 1 },
        trainerSpec: { type: 'TrainerSpec', id: 2 },
        normalizerSpec: { type: 'NormalizerSpec', id: 3 },
      },
      nested: {
        SentencePiece: {
          fields: {
            piece: { type: 'string', id: 1 },
            score: { type: 'float', id: 2 },
            type: { type: 'int32', id: 3, options: { default: 1 } },
          },
        },
      },
    },
    TrainerSpec: {
      fields: {
        modelType: { type: 'int32', id: 3, options: { default: MODEL_UNIGRAM } },
        byteFallback: { type: 'bool', id: 35 },
        unkId: { type: 'int32', id: 40, options: { default: 0 } },
        bosId: { type: 'int32', id: 41, options: { default: 1 } },
        eosId: { type: 'int32', id: 42, options: { default: 2 } },
        padId: { type: 'int32', id: 43, options: { default: -1 } },
      },
    },
    NormalizerSpec: {
      fields: {
        name: { type: 'string', id: 1 },
        precompiledCharsmap: { type: 'bytes', id: 2 },
        addDummyPrefix: { type: 'bool', id: 3, options: { default: true } },
        removeExtraWhitespaces: { type: 'bool', id: 4, options: { default: true } },
      },
    },
  },
}).lookupType('ModelProto');

export interface SpmModel {
  pieces: Array<{ piece: string; score: number; type: number }>;
  trainerSpec: { modelType: number; byteFallback: boolean; unkId: number; bosId: number; eosId: number; padId: number };
  normalizerSpec: { name: string; precompiledCharsmap: Uint8Array; addDummyPrefix: boolean; removeExtraWhitespaces: boolean };
}

/** Parses a SentencePiece ModelProto; throws ModelFormatError when the bytes are not one. */
export function parseSpmModel(bytes: Uint8Array, source = 'spm.model'): SpmModel {
  const corrupt = (why: string, cause?: unknown) =>
    new ModelFormatError(
      `${source} is not a valid SentencePiece model (${why}). The file is probably truncated or corrupt: delete it and download the model again.`,
      cause === undefined ? undefined : { cause },
    );
  let decoded: protobuf.Message;
  try {
    decoded = SPM_SCHEMA.decode(bytes);
  } catch (error) {
    throw corrupt(errorText(error), error);
  }
  const model = SPM_SCHEMA.toObject(decoded, { defaults: true, arrays: true, longs: Number }) as SpmModel;
  if (model.pieces.length === 0) throw corrupt('it has no vocabulary');
  if (!model.pieces.every((p) => typeof p.piece === 'string' && p.piece.length > 0 && Number.isFinite(p.score))) {
    throw corrupt('some vocabulary entries are empty or have no finite score');
  }
  // A file cut short at a field boundary still decodes: make sure the later sections are there.
  if (!model.trainerSpec) throw corrupt('its trainer spec is missing');
  if (!model.normalizerSpec || !model.normalizerSpec.name) throw corrupt('its normalizer spec is missing');
  const spec = model.trainerSpec;
  if (spec.modelType !== MODEL_UNIGRAM) {
    throw new ModelFormatError(
      `${source} is a SentencePiece model of type ${spec.modelType}, not Unigram (1): it is not DeBERTa-v3's tokenizer. Use the classifier's own spm.model or tokenizer.json.`,
    );
  }
  if (!(spec.unkId >= 0 && spec.unkId < model.pieces.length) || model.pieces[spec.unkId].type !== PIECE_UNKNOWN) {
    throw corrupt(`its unknown-token id ${spec.unkId} does not name an unknown-token piece`);
  }
  return model;
}

/** Reads the options DebertaV2Converter takes from the tokenizer files next to spm.model. */
export function readSpmConversionOptions(modelDir: string): SpmConversionOptions {
  const config = readJsonObject(join(modelDir, 'tokenizer_config.json'));
  const map = readJsonObject(join(modelDir, 'special_tokens_map.json'));
  const addedJson = readJsonObject(join(modelDir, 'added_tokens.json'));

  const specialTokens = new Set<string>();
  for (const source of [config, map]) {
    for (const [key, value] of Object.entries(source)) {
      if (key === 'additional_special_tokens' && Array.isArray(value)) {
        for (const item of value) {
          const content = tokenContent(item);
          if (content) specialTokens.add(content);
        }
      } else if (key.endsWith('_token')) {
        const content = tokenContent(value);
        if (content) specialTokens.add(content);
      }
    }
  }

  const added = new Map<number, Partial<AddedTokenJson> & { id: number; content: string }>();
  for (const [content, id] of Object.entries(addedJson)) {
    if (Number.isInteger(id)) added.set(id as number, { id: id as number, content, special: specialTokens.has(content) });
  }
  const decoder = config.added_tokens_decoder;
  if (decoder && typeof decoder === 'object') {
    for (const [key, value] of Object.entries(decoder as Record<string, unknown>)) {
      const id = Number(key);
      const entry = value as Partial<AddedTokenJson> | null;
      if (!Number.isInteger(id) || !entry || typeof entry.content !== 'string') continue;
      added.set(id, { ...entry, id, content: entry.content });
    }
  }

  const flag = (key: string): boolean | undefined => (typeof config[key] === 'boolean' ? (config[key] as boolean) : undefined);
  return {
    doLowerCase: flag('do_lower_case'),
    splitByPunct: flag('split_by_punct'),
    addPrefixSpace: flag('add_prefix_space'),
    legacy: flag('legacy'),
    clsToken: tokenContent(map.cls_token) ?? tokenContent(config.cls_token),
    sepToken: tokenContent(map.sep_token) ?? tokenContent(config.sep_token),
    specialTokens: [...specialTokens],
    addedTokens: [...added.values()].sort((a, b) => a.id - b.id),
  };
}

/**
 * Converts a SentencePiece model to the tokenizer.json transformers' DebertaV2Converter writes:
 * normalizer [Lowercase if do_lower_case] + Strip + Precompiled(charsmap) + Replace(" {2,}" -> " "),
 * pre-tokenizer [Punctuation if split_by_punct] + Metaspace("▁", prepend_scheme, split), Unigram model,
 * "[CLS] $A [SEP]" template, Metaspace decoder, and the control / special / added tokens.
 */
export function spmToTokenizerJson(bytes: Uint8Array, options: SpmConversionOptions = {}, source = 'spm.model'): TokenizerJson {
  const model = parseSpmModel(bytes, source);
  const vocab: [string, number][] = model.pieces.map((p) => [p.piece, p.score]);
  const idOfPiece = new Map<string, number>();
  model.pieces.forEach((p, id) => {
    if (!idOfPiece.has(p.piece)) idOfPiece.set(p.piece, id);
  });
  const special = new Set(options.specialTokens ?? []);

  // Added tokens: SentencePiece control and user-defined pieces, the special tokens of the vocabulary, then
  // the configured ones (which may also carry flags or ids beyond the vocabulary, such as [MASK]).
  const added = new Map<number, AddedTokenJson>();
  const put = (id: number, content: string, flags: Partial<AddedTokenJson> = {}) => {
    const previous = added.get(id);
    added.set(id, {
      id,
      content,
      single_word: flags.single_word ?? previous?.single_word ?? false,
      lstrip: flags.lstrip ?? previous?.lstrip ?? false,
      rstrip: flags.rstrip ?? previous?.rstrip ?? false,
      normalized: flags.normalized ?? previous?.normalized ?? false,
      special: flags.special ?? previous?.special ?? special.has(content),
    });
  };
  model.pieces.forEach((p, id) => {
    if (p.type === PIECE_CONTROL || p.type === PIECE_USER_DEFINED) {
      put(id, p.piece, { special: p.type === PIECE_CONTROL || special.has(p.piece) });
    }
  });
  for (const content of special) {
    const id = idOfPiece.get(content);
    if (id !== undefined) put(id, content, { special: true });
  }
  for (const token of options.addedTokens ?? []) put(token.id, token.content, token);
  let nextId = Math.max(vocab.length, ...[...added.keys()].map((id) => id + 1));
  const addedContents = new Set([...added.values()].map((t) => t.content));
  for (const content of special) {
    if (!idOfPiece.has(content) && !addedContents.has(content)) put(nextId++, content, { special: true });
  }

  const charsmap = model.normalizerSpec.precompiledCharsmap;
  const normalizers: Record<string, unknown>[] = [];
  if (options.doLowerCase) normalizers.push({ type: 'Lowercase' });
  normalizers.push({ type: 'Strip', strip_left: true, strip_right: true });
  if (charsmap && charsmap.length > 0) {
    normalizers.push({ type: 'Precompiled', precompiled_charsmap: Buffer.from(charsmap).toString('base64') });
  }
  normalizers.push({ type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' });

  const prependScheme = options.addPrefixSpace === false ? 'never' : options.legacy === false ? 'first' : 'always';
  const metaspace = { type: 'Metaspace', replacement: METASPACE, prepend_scheme: prependScheme, split: true };
  const pretokenizers: Record<string, unknown>[] = [];
  if (options.splitByPunct) pretokenizers.push({ type: 'Punctuation', behavior: 'Isolated' });
  pretokenizers.push(metaspace);

  const cls = options.clsToken ?? '[CLS]';
  const sep = options.sepToken ?? '[SEP]';
  const idOfToken = (content: string): number => {
    const piece = idOfPiece.get(content);
    if (piece !== undefined) return piece;
    const extra = [...added.values()].find((t) => t.content === content);
    if (extra) return extra.id;
    throw new ModelFormatError(
      `${source} has no "${content}" token, which the classifier needs. This is not a DeBERTa-v3 tokenizer: use the model's own tokenizer files.`,
    );
  };
  const clsId = idOfToken(cls);
  const sepId = idOfToken(sep);
  const special_ = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: string, typeId: number) => ({ Sequence: { id, type_id: typeId } });

  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...added.values()].sort((a, b) => a.id - b.id),
    normalizer: { type: 'Sequence', normalizers },
    pre_tokenizer: { type: 'Sequence', pretokenizers },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special_(cls, 0), sequence('A', 0), special_(sep, 0)],
      pair: [special_(cls, 0), sequence('A', 0), special_(sep, 0), sequence('B', 1), special_(sep, 1)],
      special_tokens: {
        [cls]: { id: cls, ids: [clsId], tokens: [cls] },
        [sep]: { id: sep, ids: [sepId], tokens: [sep] },
      },
    },
    decoder: { ...metaspace },
    model: { type: 'Unigram', unk_id: model.trainerSpec.unkId, vocab, byte_fallback: false },
  };
}

// ------------------------------------------------------------------------------------------------
// Small helpers

/** A Git LFS pointer (a clone without git-lfs, or a raw/ URL) instead of the file: say so plainly. */
function rejectLfsPointer(path: string): void {
  const bytes = Buffer.alloc(64);
  let length = 0;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    length = readSync(fd, bytes, 0, bytes.length, 0);
  } catch {
    return; // unreadable: the loader reports it
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const head = bytes.subarray(0, length).toString('latin1');
  if (head.startsWith('version https://git-lfs.github.com/spec/')) {
    throw new ModelFormatError(
      `${path} is a Git LFS pointer, not the file itself. Download the model again through the Hugging Face resolve/ URLs, or run "git lfs pull" in the model directory.`,
    );
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A JSON object from an optional file: {} when absent; ModelFormatError when present but unreadable. */
function readJsonObject(path: string): Record<string, unknown> {
  if (!existsSync(path)) return {};
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ModelFormatError(`${path} is not valid JSON (${errorText(error)}). Delete it and download the model again.`, {
      cause: error,
    });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new ModelFormatError(`${path} should hold a JSON object. Delete it and download the model again.`);
  }
  return value as Record<string, unknown>;
}

/** A special token as tokenizer files write it: a string, or an object with `content`. */
function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
