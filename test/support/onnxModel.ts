// Small ONNX models written from the test itself (protobufjs with onnx.proto's field numbers), for
// graphs the fixtures lack: MatMul on a 3-D activation, Gemm with and without transB, a shared input.
import * as protobuf from 'protobufjs';

const root = protobuf.Root.fromJSON({
  nested: {
    ModelProto: { fields: { irVersion: { type: 'int64', id: 1 }, graph: { type: 'GraphProto', id: 7 }, opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 } } },
    OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
    GraphProto: {
      fields: {
        node: { rule: 'repeated', type: 'NodeProto', id: 1 },
        name: { type: 'string', id: 2 },
        initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
        input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
        output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
      },
    },
    NodeProto: { fields: { input: { rule: 'repeated', type: 'string', id: 1 }, output: { rule: 'repeated', type: 'string', id: 2 }, name: { type: 'string', id: 3 }, opType: { type: 'string', id: 4 }, attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 } } },
    AttributeProto: { fields: { name: { type: 'string', id: 1 }, i: { type: 'int64', id: 3 }, ints: { rule: 'repeated', type: 'int64', id: 8 }, type: { type: 'int32', id: 20 } } },
    TensorProto: { fields: { dims: { rule: 'repeated', type: 'int64', id: 1 }, dataType: { type: 'int32', id: 2 }, name: { type: 'string', id: 8 }, rawData: { type: 'bytes', id: 9 } } },
    ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } } },
    TypeProto: { fields: { tensorType: { type: 'Tensor', id: 1 } }, nested: { Tensor: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'Shape', id: 2 } } } } },
    Shape: { fields: { dim: { rule: 'repeated', type: 'Dim', id: 1 } } },
    Dim: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } } },
  },
});
const Model = root.lookupType('ModelProto');

export const FLOAT = 1;
export const INT64 = 7;

/** Deterministic pseudo-random floats in [-1, 1). */
export function randomFloats(count: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  return Float32Array.from({ length: count }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

export const floatTensor = (name: string, dims: number[], values: Float32Array) => ({ name, dims, dataType: FLOAT, rawData: new Uint8Array(values.buffer.slice(0)) });
export const node = (opType: string, input: string[], output: string[], attributes: Record<string, number | number[]> = {}) => ({
  opType,
  input,
  output,
  name: `${opType}_${output[0]}`,
  attribute: Object.entries(attributes).map(([name, value]) => (Array.isArray(value) ? { name, ints: value, type: 7 } : { name, i: value, type: 2 })),
});
export const valueInfo = (name: string, elemType: number, dims: (number | string)[]) => ({
  name,
  type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});

export function encodeModel(graph: { node: object[]; initializer: object[]; input: object[]; output: object[] }, opset = 17): Uint8Array {
  return Model.encode(Model.fromObject({ irVersion: 8, opsetImport: [{ domain: '', version: opset }], graph: { name: 'test', ...graph } })).finish();
}

/**
 * ids [1, seq] -> Gather(embedding) [1, seq, 16] -> MatMul(w1) [1, seq, 32] and MatMul(w2) from the
 * same activation -> Add -> ReduceMean over seq -> Gemm(transB=1, bias) -> "head_a";
 * the pooled vector -> Gemm(transB=0, no bias) -> "head_b".
 */
export function mixedModel(): Uint8Array {
  const vocab = 50;
  const width = 16;
  const hidden = 32;
  return encodeModel({
    input: [valueInfo('ids', INT64, [1, 'seq'])],
    output: [valueInfo('head_a', FLOAT, [1, 5]), valueInfo('head_b', FLOAT, [1, 3])],
    initializer: [
      floatTensor('embedding', [vocab, width], randomFloats(vocab * width, 1)),
      floatTensor('w1', [width, hidden], randomFloats(width * hidden, 2)),
      floatTensor('w2', [width, hidden], randomFloats(width * hidden, 3)),
      floatTensor('head_a.weight', [5, hidden], randomFloats(5 * hidden, 4)),
      floatTensor('head_a.bias', [5], randomFloats(5, 5)),
      floatTensor('head_b.weight', [hidden, 3], randomFloats(hidden * 3, 6)),
    ],
    node: [
      node('Gather', ['embedding', 'ids'], ['embedded'], { axis: 0 }),
      node('MatMul', ['embedded', 'w1'], ['h1']),
      node('MatMul', ['embedded', 'w2'], ['h2']),
      node('Add', ['h1', 'h2'], ['h']),
      node('ReduceMean', ['h'], ['pooled'], { axes: [1], keepdims: 0 }),
      node('Gemm', ['pooled', 'head_a.weight', 'head_a.bias'], ['head_a'], { transB: 1 }),
      node('Gemm', ['pooled', 'head_b.weight'], ['head_b']),
    ],
  });
}
