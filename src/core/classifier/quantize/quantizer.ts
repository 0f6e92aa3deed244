// Dynamic int8 quantization of an fp32 ONNX graph, as onnxruntime's `quantize_dynamic` does it:
// weights are quantized once, here; activations at run time by DynamicQuantizeLinear.
//
//   MatMul(A, W)          -> DynamicQuantizeLinear(A) -> MatMulInteger(A_q, W_q, A_zp, W_zp) -> Cast
//                            -> Mul(·, A_scale · W_scale)         W: 8 bits per output column, symmetric
//   Gemm(A, W, C)         -> the same, then Add(·, C)             (transA = 0, alpha = beta = 1)
//   Gather(E, ids)        -> Gather(E_q, ids) -> Cast -> Mul(·, Gather(E_scale, ids))   E: int8 per row
//
// onnxruntime fuses the MatMul pattern into its DynamicQuantizeMatMul kernel. The file is read and
// written field by field: untouched fields are copied by range, each weight is read, quantized and
// written on its own (the embedding in chunks of rows), so memory stays near one weight matrix.
import {
  AttributeType,
  GRAPH_INITIALIZER,
  GRAPH_INPUT,
  GRAPH_NODE,
  MODEL_GRAPH,
  MODEL_OPSET_IMPORT,
  OnnxFormatError,
  TensorDataType,
  attributeFloat,
  attributeInt,
  bytesFieldHeader,
  decodeNode,
  decodeOpset,
  decodeValueInfoName,
  encodeNode,
  encodeTensor,
  encodeTensorHeader,
  fieldSize,
  readTensorHeader,
  scanFields,
  TENSOR_RAW_DATA,
  type ByteSink,
  type ByteSource,
  type OnnxNode,
  type TensorHeader,
  type WireField,
} from './onnxWire';

export interface QuantizeProgress {
  /** Bytes of the input handled so far, of `total`. */
  done: number;
  total: number;
}

export interface QuantizeOptions {
  onProgress?(progress: QuantizeProgress): void;
  /** Checked between weights and between chunks; when it returns true, quantizing stops with QuantizeCancelled. */
  isCancelled?(): boolean;
  /** Awaited between weights and chunks, so that a worker can receive a cancel message. */
  pause?(): Promise<void>;
  /** Rows of an embedding read at once, by bytes (default 16 MiB). */
  chunkBytes?: number;
  /** How MatMul/Gemm weights are stored (default DEFAULT_WEIGHT_FORMAT). */
  weightFormat?: WeightFormat;
}

export interface QuantizeSummary {
  /** How the MatMul/Gemm weights were stored. */
  weightFormat: WeightFormat;
  /** Nodes rewritten, by op type. */
  nodes: { MatMul: number; Gemm: number; Gather: number };
  /** Weights quantized, and their parameters. */
  weights: number;
  parameters: number;
  /** Float weights left as they were, with why (shared with another kind of node, a graph input...). */
  skipped: string[];
  inputBytes: number;
  outputBytes: number;
}

export class QuantizeCancelled extends Error {
  override name = 'QuantizeCancelled';
  constructor() {
    super('Quantizing was cancelled.');
  }
}

type Orientation = 'kn' | 'nk' | 'rows';

interface Initializer {
  field: WireField;
  header: TensorHeader;
  data?: WireField;
}

interface Piece {
  length: number;
  emit(sink: ByteSink): Promise<void> | void;
}

const INT8_MAX = 127;

/**
 * How MatMul/Gemm weights are stored:
 * - `int8`: int8 in [-127, 127]; onnxruntime multiplies them with its fast uint8 x int8 kernels.
 *   Exact on x86 CPUs with VNNI (measured); those with only AVX2 sum two 255 x 127 products in
 *   16 bits (vpmaddubsw), which can saturate. Elsewhere too, the self-check on the machine decides.
 * - `int8-7bit`: int8 in [-63, 63] (quantize_dynamic's reduce_range): the same fast kernels, never
 *   saturating, at half the weight precision.
 * - `uint8`: uint8 with zero point 128; exact everywhere, but onnxruntime runs uint8 x uint8 on a
 *   kernel that is barely faster than fp32.
 */
export type WeightFormat = 'int8' | 'int8-7bit' | 'uint8';
/** Every format, in the order the self-check tries them: fastest first. */
export const WEIGHT_FORMATS: readonly WeightFormat[] = ['int8', 'int8-7bit', 'uint8'];
export const DEFAULT_WEIGHT_FORMAT: WeightFormat = WEIGHT_FORMATS[0];
/** How each format reads in messages and the stats view. */
export const WEIGHT_FORMAT_LABELS: Record<WeightFormat, string> = { int8: '8-bit int8 weights', 'int8-7bit': '7-bit int8 weights', uint8: 'uint8 weights' };

const WEIGHT_RANGE: Record<WeightFormat, { qmax: number; zeroPoint: number; dataType: number }> = {
  int8: { qmax: INT8_MAX, zeroPoint: 0, dataType: TensorDataType.INT8 },
  'int8-7bit': { qmax: 63, zeroPoint: 0, dataType: TensorDataType.INT8 },
  uint8: { qmax: INT8_MAX, zeroPoint: 128, dataType: TensorDataType.UINT8 },
};
const QUANT_SUFFIX = '_int8';

/** The consumer kind of a weight, or why it cannot be quantized. */
function weightUse(node: OnnxNode, inputIndex: number): Orientation | undefined {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return undefined;
  if (node.opType === 'MatMul' && inputIndex === 1) return 'kn';
  if (node.opType === 'Gemm' && inputIndex === 1) {
    if (attributeInt(node, 'transA', 0) !== 0 || attributeFloat(node, 'alpha', 1) !== 1 || attributeFloat(node, 'beta', 1) !== 1) return undefined;
    return attributeInt(node, 'transB', 0) ? 'nk' : 'kn';
  }
  if (node.opType === 'Gather' && inputIndex === 0 && attributeInt(node, 'axis', 0) === 0) return 'rows';
  return undefined;
}

function floatsOf(bytes: Uint8Array): Float32Array {
  const floats = new Float32Array(bytes.length / 4);
  new Uint8Array(floats.buffer).set(bytes);
  return floats;
}

/** Symmetric int8 of values sharing a scale: round(x / scale), scale = max|x| / qmax. */
export function symmetricScale(maxAbs: number, qmax = INT8_MAX): number {
  return maxAbs > 0 ? maxAbs / qmax : 1;
}

export function quantizeValue(x: number, scale: number, qmax = INT8_MAX): number {
  const q = Math.round(x / scale);
  return q > qmax ? qmax : q < -qmax ? -qmax : q;
}

/** [K, N] weights (or [N, K] when `orientation` is 'nk') -> 8-bit [K, N] in `format` and one scale per output column N. */
export function quantizePerColumn(weights: Float32Array, dims: [number, number], orientation: 'kn' | 'nk', format: WeightFormat = DEFAULT_WEIGHT_FORMAT): { q: Uint8Array; scales: Float32Array; k: number; n: number } {
  const { qmax, zeroPoint } = WEIGHT_RANGE[format];
  const [rows, cols] = dims;
  const k = orientation === 'kn' ? rows : cols;
  const n = orientation === 'kn' ? cols : rows;
  const at = orientation === 'kn' ? (ki: number, ni: number) => weights[ki * n + ni] : (ki: number, ni: number) => weights[ni * k + ki];
  const maxAbs = new Float32Array(n);
  for (let ki = 0; ki < k; ki++) for (let ni = 0; ni < n; ni++) maxAbs[ni] = Math.max(maxAbs[ni], Math.abs(at(ki, ni)));
  const scales = Float32Array.from(maxAbs, (m) => symmetricScale(m, qmax));
  // Uint8Array stores an int8 value's two's-complement byte (-1 -> 255), which is what the file holds.
  const q = new Uint8Array(k * n);
  for (let ki = 0; ki < k; ki++) for (let ni = 0; ni < n; ni++) q[ki * n + ni] = quantizeValue(at(ki, ni), scales[ni], qmax) + zeroPoint;
  return { q, scales, k, n };
}

/** Rows of an embedding -> int8 rows and one scale per row. */
export function quantizeRows(rows: Float32Array, width: number): { q: Int8Array; scales: Float32Array } {
  const count = rows.length / width;
  const q = new Int8Array(rows.length);
  const scales = new Float32Array(count);
  for (let r = 0; r < count; r++) {
    let maxAbs = 0;
    for (let c = 0; c < width; c++) maxAbs = Math.max(maxAbs, Math.abs(rows[r * width + c]));
    const scale = symmetricScale(maxAbs);
    scales[r] = scale;
    for (let c = 0; c < width; c++) q[r * width + c] = quantizeValue(rows[r * width + c], scale);
  }
  return { q, scales };
}

const bytesOf = (view: ArrayBufferView) => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
const initializerField = (tensor: Uint8Array): Uint8Array => {
  const header = bytesFieldHeader(GRAPH_INITIALIZER, tensor.length);
  const out = new Uint8Array(header.length + tensor.length);
  out.set(header);
  out.set(tensor, header.length);
  return out;
};
const nodeField = (node: Parameters<typeof encodeNode>[0]): Uint8Array => {
  const bytes = encodeNode(node);
  const header = bytesFieldHeader(GRAPH_NODE, bytes.length);
  const out = new Uint8Array(header.length + bytes.length);
  out.set(header);
  out.set(bytes, header.length);
  return out;
};

/**
 * Writes the dynamically quantized form of the fp32 ONNX model in `source` to `sink`. Throws
 * OnnxFormatError for a file that is not a usable ONNX model, QuantizeCancelled when cancelled.
 */
export async function quantizeModel(source: ByteSource, sink: ByteSink, options: QuantizeOptions = {}): Promise<QuantizeSummary> {
  const total = source.size;
  const weightFormat = options.weightFormat ?? DEFAULT_WEIGHT_FORMAT;
  const weightRange = WEIGHT_RANGE[weightFormat];
  const chunkBytes = options.chunkBytes ?? 16 << 20;
  const checkpoint = async (done: number) => {
    options.onProgress?.({ done, total });
    await options.pause?.();
    if (options.isCancelled?.()) throw new QuantizeCancelled();
  };

  // 1. The model's top-level fields: exactly one graph, an opset that has DynamicQuantizeLinear.
  const topFields = [...scanFields(source, 0, total)];
  const graphs = topFields.filter((f) => f.field === MODEL_GRAPH && f.wireType === 2);
  if (graphs.length !== 1) throw new OnnxFormatError(graphs.length ? 'the model has its graph split in several parts' : 'the file has no graph: it is not an ONNX model');
  const graph = graphs[0];
  const opsets = topFields.filter((f) => f.field === MODEL_OPSET_IMPORT).map((f) => decodeOpset(source.read(f.dataStart, f.end - f.dataStart)));
  const onnxOpset = opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
  if (onnxOpset < 11) throw new OnnxFormatError(`the model's ONNX opset is ${onnxOpset}; quantizing needs opset 11 or later (DynamicQuantizeLinear)`);

  // 2. The graph: nodes are decoded (they are small), initializers only as far as their headers.
  const graphFields = [...scanFields(source, graph.dataStart, graph.end)];
  const nodes = new Map<WireField, OnnxNode>();
  const initializers = new Map<string, Initializer>();
  const graphInputs = new Set<string>();
  const names = new Set<string>();
  for (const field of graphFields) {
    if (field.field === GRAPH_NODE) {
      const node = decodeNode(source.read(field.dataStart, field.end - field.dataStart));
      nodes.set(field, node);
      node.output.forEach((o) => names.add(o));
    } else if (field.field === GRAPH_INITIALIZER) {
      const { header, data, floatData } = readTensorHeader(source, field.dataStart, field.end);
      initializers.set(header.name, { field, header, data: data ?? floatData });
      names.add(header.name);
    } else if (field.field === GRAPH_INPUT) {
      const name = decodeValueInfoName(source.read(field.dataStart, field.end - field.dataStart));
      graphInputs.add(name);
      names.add(name);
    }
  }

  // 3. Which weights to quantize: float 2-D initializers whose every consumer takes them the same way.
  const uses = new Map<string, Set<Orientation | undefined>>();
  for (const node of nodes.values()) {
    node.input.forEach((input, index) => {
      if (!initializers.has(input)) return;
      if (!uses.has(input)) uses.set(input, new Set());
      uses.get(input)?.add(weightUse(node, index));
    });
  }
  const plan = new Map<string, Orientation>();
  const skipped: string[] = [];
  for (const [name, kinds] of uses) {
    const init = initializers.get(name);
    const candidate = [...kinds].some((k) => k !== undefined);
    if (!init || !candidate) continue;
    const { header } = init;
    const why =
      kinds.size > 1 ? 'used by nodes that take it differently'
      : graphInputs.has(name) ? 'also a graph input (overridable)'
      : header.dataType !== TensorDataType.FLOAT ? 'not float32'
      : header.dims.length !== 2 ? `${header.dims.length}-D`
      : header.dataLocation === 1 ? 'stored as external data'
      : !init.data ? 'has no raw_data or float_data'
      : init.data.end - init.data.dataStart !== header.dims[0] * header.dims[1] * 4 ? 'data size disagrees with its shape'
      : undefined;
    if (why) skipped.push(`${name}: ${why}`);
    else plan.set(name, [...kinds][0] as Orientation);
  }
  const qName = (name: string, what: string) => {
    const result = `${name}${QUANT_SUFFIX}_${what}`;
    if (names.has(result)) throw new OnnxFormatError(`the graph already has a value named ${result}`);
    return result;
  };

  // 4. The new graph, as pieces of known length: copied ranges, new nodes, quantized weights.
  const pieces: Piece[] = [];
  const copy = (field: WireField): Piece => ({ length: field.end - field.start, emit: (sink) => copyRange(source, sink, field.start, field.end, chunkBytes) });
  const bytesPiece = (bytes: Uint8Array): Piece => ({ length: bytes.length, emit: (sink) => sink.write(bytes) });
  const activations = new Map<string, { q: string; scale: string; zeroPoint: string }>();
  const summary: QuantizeSummary = { weightFormat, nodes: { MatMul: 0, Gemm: 0, Gather: 0 }, weights: 0, parameters: 0, skipped, inputBytes: total, outputBytes: 0 };
  let nodeCounter = 0;
  const uniqueNodeName = (base: string) => `${base || 'node'}${QUANT_SUFFIX}_${nodeCounter++}`;

  for (const field of graphFields) {
    const node = nodes.get(field);
    if (node) {
      const weightIndex = node.opType === 'Gather' ? 0 : 1;
      const weight = node.input[weightIndex];
      if (!plan.has(weight) || weightUse(node, weightIndex) === undefined) {
        pieces.push(copy(field));
        continue;
      }
      const out = node.output[0];
      const newNodes: Parameters<typeof encodeNode>[0][] = [];
      if (node.opType === 'Gather') {
        const ids = node.input[1];
        newNodes.push(
          { name: uniqueNodeName(node.name), opType: 'Gather', input: [qName(weight, 'quantized'), ids], output: [qName(out, 'rows')], attribute: [{ name: 'axis', type: AttributeType.INT, i: 0 }] },
          { name: uniqueNodeName(node.name), opType: 'Cast', input: [qName(out, 'rows')], output: [qName(out, 'rows_f')], attribute: [{ name: 'to', type: AttributeType.INT, i: TensorDataType.FLOAT }] },
          { name: uniqueNodeName(node.name), opType: 'Gather', input: [qName(weight, 'scale'), ids], output: [qName(out, 'row_scale')], attribute: [{ name: 'axis', type: AttributeType.INT, i: 0 }] },
          { name: uniqueNodeName(node.name), opType: 'Mul', input: [qName(out, 'rows_f'), qName(out, 'row_scale')], output: [out] },
        );
        summary.nodes.Gather++;
      } else {
        const input = node.input[0];
        let activation = activations.get(input);
        if (!activation) {
          // One DynamicQuantizeLinear per activation, shared by every MatMul that reads it (Q, K, V).
          activation = { q: qName(input, 'act'), scale: qName(input, 'act_scale'), zeroPoint: qName(input, 'act_zero_point') };
          activations.set(input, activation);
          newNodes.push({ name: uniqueNodeName(input), opType: 'DynamicQuantizeLinear', input: [input], output: [activation.q, activation.scale, activation.zeroPoint] });
        }
        const product = node.opType === 'Gemm' && node.input[2] ? qName(out, 'matmul') : out;
        newNodes.push(
          { name: uniqueNodeName(node.name), opType: 'MatMulInteger', input: [activation.q, qName(weight, 'quantized'), activation.zeroPoint, qName(weight, 'zero_point')], output: [qName(out, 'i32')] },
          { name: uniqueNodeName(node.name), opType: 'Cast', input: [qName(out, 'i32')], output: [qName(out, 'f')], attribute: [{ name: 'to', type: AttributeType.INT, i: TensorDataType.FLOAT }] },
          { name: uniqueNodeName(node.name), opType: 'Mul', input: [activation.scale, qName(weight, 'scale')], output: [qName(out, 'product_scale')] },
          { name: uniqueNodeName(node.name), opType: 'Mul', input: [qName(out, 'f'), qName(out, 'product_scale')], output: [product] },
        );
        if (product !== out) newNodes.push({ name: uniqueNodeName(node.name), opType: 'Add', input: [product, node.input[2]], output: [out] });
        summary.nodes[node.opType as 'MatMul' | 'Gemm']++;
      }
      for (const n of newNodes) pieces.push(bytesPiece(nodeField(n)));
      continue;
    }
    if (field.field === GRAPH_INITIALIZER) {
      const init = [...initializers.values()].find((i) => i.field === field);
      const orientation = init && plan.get(init.header.name);
      if (!init || !orientation) {
        pieces.push(copy(field));
        continue;
      }
      summary.weights++;
      summary.parameters += init.header.dims[0] * init.header.dims[1];
      pieces.push(orientation === 'rows' ? rowsPiece(init) : columnsPiece(init, orientation));
      continue;
    }
    pieces.push(copy(field));
  }

  function columnsPiece(init: Initializer, orientation: 'kn' | 'nk'): Piece {
    const { name, dims } = init.header;
    const [k, n] = orientation === 'kn' ? dims : [dims[1], dims[0]];
    const placeholders = [
      encodeTensor(qName(name, 'scale'), [n], TensorDataType.FLOAT, new Uint8Array(n * 4)),
      encodeTensor(qName(name, 'zero_point'), [n], weightRange.dataType, new Uint8Array(n).fill(weightRange.zeroPoint)),
    ];
    const qHeader = encodeTensorHeader(qName(name, 'quantized'), [k, n], weightRange.dataType);
    const qLength = qHeader.length + fieldSize(TENSOR_RAW_DATA, k * n);
    return {
      length: fieldSize(GRAPH_INITIALIZER, qLength) + placeholders.reduce((sum, p) => sum + fieldSize(GRAPH_INITIALIZER, p.length), 0),
      emit: async (sink) => {
        const data = init.data as WireField;
        const weights = floatsOf(source.read(data.dataStart, data.end - data.dataStart));
        const { q, scales } = quantizePerColumn(weights, [dims[0], dims[1]], orientation, weightFormat);
        sink.write(bytesFieldHeader(GRAPH_INITIALIZER, qLength));
        sink.write(qHeader);
        sink.write(bytesFieldHeader(TENSOR_RAW_DATA, q.length));
        sink.write(bytesOf(q));
        sink.write(initializerField(encodeTensor(qName(name, 'scale'), [n], TensorDataType.FLOAT, bytesOf(scales))));
        sink.write(initializerField(placeholders[1]));
        await checkpoint(init.field.end);
      },
    };
  }

  function rowsPiece(init: Initializer): Piece {
    const { name, dims } = init.header;
    const [rows, width] = dims;
    const scaleTensorLength = encodeTensorHeader(qName(name, 'scale'), [rows, 1], TensorDataType.FLOAT).length + fieldSize(TENSOR_RAW_DATA, rows * 4);
    const qHeader = encodeTensorHeader(qName(name, 'quantized'), [rows, width], TensorDataType.INT8);
    const qLength = qHeader.length + fieldSize(TENSOR_RAW_DATA, rows * width);
    return {
      length: fieldSize(GRAPH_INITIALIZER, qLength) + fieldSize(GRAPH_INITIALIZER, scaleTensorLength),
      emit: async (sink) => {
        const data = init.data as WireField;
        const scales = new Float32Array(rows);
        sink.write(bytesFieldHeader(GRAPH_INITIALIZER, qLength));
        sink.write(qHeader);
        sink.write(bytesFieldHeader(TENSOR_RAW_DATA, rows * width));
        const rowsPerChunk = Math.max(1, Math.floor(chunkBytes / (width * 4)));
        for (let first = 0; first < rows; first += rowsPerChunk) {
          const count = Math.min(rowsPerChunk, rows - first);
          const chunk = floatsOf(source.read(data.dataStart + first * width * 4, count * width * 4));
          const { q, scales: chunkScales } = quantizeRows(chunk, width);
          scales.set(chunkScales, first);
          sink.write(bytesOf(q));
          await checkpoint(data.dataStart + (first + count) * width * 4);
        }
        sink.write(initializerField(encodeTensor(qName(name, 'scale'), [rows, 1], TensorDataType.FLOAT, bytesOf(scales))));
      },
    };
  }

  // 5. Write: the model's fields in their order, the graph's length prefix first computed from the pieces.
  const graphLength = pieces.reduce((sum, p) => sum + p.length, 0);
  let written = 0;
  const counting: ByteSink = {
    write(bytes) {
      written += bytes.length;
      sink.write(bytes);
    },
  };
  for (const field of topFields) {
    if (field !== graph) {
      copyRange(source, counting, field.start, field.end, chunkBytes);
      continue;
    }
    counting.write(bytesFieldHeader(MODEL_GRAPH, graphLength));
    const graphStart = written;
    let sinceCheckpoint = 0;
    for (const piece of pieces) {
      await piece.emit(counting);
      sinceCheckpoint += piece.length;
      if (sinceCheckpoint > chunkBytes) {
        sinceCheckpoint = 0;
        await checkpoint(Math.min(graph.end, graph.dataStart + (written - graphStart)));
      }
    }
    if (written - graphStart !== graphLength) throw new Error(`internal error: graph written as ${written - graphStart} bytes, announced as ${graphLength}`);
  }
  summary.outputBytes = written;
  options.onProgress?.({ done: total, total });
  return summary;
}

function copyRange(source: ByteSource, sink: ByteSink, start: number, end: number, chunkBytes: number): void {
  for (let position = start; position < end; position += chunkBytes) sink.write(source.read(position, Math.min(chunkBytes, end - position)));
}
