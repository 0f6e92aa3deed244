// ONNX files at the protobuf wire level: fields are located by offset and copied or decoded one at a
// time, so a 700 MB graph never has to be decoded (or held) whole. The message types are a subset of
// ONNX's own schema (onnx/onnx.proto, field numbers as there), read and written with protobufjs.
import * as protobuf from 'protobufjs';

/** Random access to the bytes of a model file (a file descriptor in Node, a buffer in tests). */
export interface ByteSource {
  readonly size: number;
  read(position: number, length: number): Uint8Array;
}

/** Where the output goes, in order. */
export interface ByteSink {
  write(bytes: Uint8Array): void;
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: (position, length) => bytes.subarray(position, position + length) };
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

/** One field of a message: where its tag starts, where its payload starts and where it ends. */
export interface WireField {
  field: number;
  wireType: number;
  start: number;
  dataStart: number;
  end: number;
}

export class OnnxFormatError extends Error {
  override name = 'OnnxFormatError';
}

/** Reads a varint at `position` from a small header window; returns its value and length. */
function readVarint(bytes: Uint8Array, offset: number): { value: number; length: number } {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (offset + i >= bytes.length) throw new OnnxFormatError('truncated varint');
    const byte = bytes[offset + i];
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return { value, length: i + 1 };
  }
  throw new OnnxFormatError('varint longer than 10 bytes');
}

export function varintLength(value: number): number {
  let length = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    length++;
  }
  return length;
}

export function encodeVarint(value: number): Uint8Array {
  const out = new Uint8Array(varintLength(value));
  for (let i = 0; i < out.length; i++) {
    out[i] = (value % 128) | (i < out.length - 1 ? 0x80 : 0);
    value = Math.floor(value / 128);
  }
  return out;
}

/** The tag and length prefix of a length-delimited field. */
export function bytesFieldHeader(field: number, length: number): Uint8Array {
  const tag = encodeVarint(field * 8 + WIRE_BYTES);
  const len = encodeVarint(length);
  const out = new Uint8Array(tag.length + len.length);
  out.set(tag);
  out.set(len, tag.length);
  return out;
}

export const fieldSize = (field: number, payload: number) => varintLength(field * 8 + WIRE_BYTES) + varintLength(payload) + payload;

/** The fields of the message stored in [start, end), in file order, without reading their payloads. */
export function* scanFields(source: ByteSource, start: number, end: number): Generator<WireField> {
  let position = start;
  while (position < end) {
    const header = source.read(position, Math.min(20, end - position));
    const tag = readVarint(header, 0);
    const field = Math.floor(tag.value / 8);
    const wireType = tag.value % 8;
    let dataStart = position + tag.length;
    let fieldEnd: number;
    switch (wireType) {
      case WIRE_VARINT:
        fieldEnd = dataStart + readVarint(header, tag.length).length;
        break;
      case WIRE_FIXED64:
        fieldEnd = dataStart + 8;
        break;
      case WIRE_FIXED32:
        fieldEnd = dataStart + 4;
        break;
      case WIRE_BYTES: {
        const length = readVarint(header, tag.length);
        dataStart += length.length;
        fieldEnd = dataStart + length.value;
        break;
      }
      default:
        throw new OnnxFormatError(`unsupported wire type ${wireType} at byte ${position}`);
    }
    if (field === 0 || fieldEnd > end) throw new OnnxFormatError(`field at byte ${position} runs past its message (truncated file?)`);
    yield { field, wireType, start: position, dataStart, end: fieldEnd };
    position = fieldEnd;
  }
}

// Field numbers from onnx.proto.
export const MODEL_GRAPH = 7;
export const MODEL_OPSET_IMPORT = 8;
export const GRAPH_NODE = 1;
export const GRAPH_INITIALIZER = 5;
export const GRAPH_INPUT = 11;
export const TENSOR_RAW_DATA = 9;
export const TENSOR_FLOAT_DATA = 4;

export const TensorDataType = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7 } as const;
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

const ONNX_SCHEMA = protobuf.Root.fromJSON({
  nested: {
    NodeProto: {
      fields: {
        input: { rule: 'repeated', type: 'string', id: 1 },
        output: { rule: 'repeated', type: 'string', id: 2 },
        name: { type: 'string', id: 3 },
        opType: { type: 'string', id: 4 },
        attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
        docString: { type: 'string', id: 6 },
        domain: { type: 'string', id: 7 },
      },
    },
    AttributeProto: {
      fields: {
        name: { type: 'string', id: 1 },
        f: { type: 'float', id: 2 },
        i: { type: 'int64', id: 3 },
        s: { type: 'bytes', id: 4 },
        floats: { rule: 'repeated', type: 'float', id: 7 },
        ints: { rule: 'repeated', type: 'int64', id: 8 },
        type: { type: 'int32', id: 20 },
      },
    },
    // Everything of TensorProto but the data fields, which are read and written apart.
    TensorHeader: {
      fields: {
        dims: { rule: 'repeated', type: 'int64', id: 1 },
        dataType: { type: 'int32', id: 2 },
        name: { type: 'string', id: 8 },
        dataLocation: { type: 'int32', id: 14 },
      },
    },
    ValueInfoName: { fields: { name: { type: 'string', id: 1 } } },
    OperatorSetIdProto: {
      fields: {
        domain: { type: 'string', id: 1 },
        version: { type: 'int64', id: 2 },
      },
    },
  },
});
const NodeType = ONNX_SCHEMA.lookupType('NodeProto');
const TensorHeaderType = ONNX_SCHEMA.lookupType('TensorHeader');
const ValueInfoNameType = ONNX_SCHEMA.lookupType('ValueInfoName');
const OpsetType = ONNX_SCHEMA.lookupType('OperatorSetIdProto');

export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  ints?: number[];
}

export interface OnnxNode {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  domain: string;
  attribute: OnnxAttribute[];
}

export interface TensorHeader {
  name: string;
  dims: number[];
  dataType: number;
  dataLocation: number;
}

const asNumber = (value: unknown): number => (typeof value === 'number' ? value : value === undefined || value === null ? 0 : Number(String(value)));

export function decodeNode(bytes: Uint8Array): OnnxNode {
  const node = NodeType.toObject(NodeType.decode(bytes), { defaults: true, longs: Number }) as OnnxNode;
  node.attribute = node.attribute.map((a) => ({ ...a, i: asNumber(a.i), ints: (a.ints ?? []).map(asNumber) }));
  return node;
}

export function encodeNode(node: Partial<OnnxNode> & { input: string[]; output: string[]; opType: string }): Uint8Array {
  return NodeType.encode(NodeType.fromObject(node)).finish();
}

export function attributeInt(node: OnnxNode, name: string, fallback: number): number {
  const attribute = node.attribute.find((a) => a.name === name);
  return attribute ? asNumber(attribute.i) : fallback;
}

export function attributeFloat(node: OnnxNode, name: string, fallback: number): number {
  const attribute = node.attribute.find((a) => a.name === name);
  return attribute ? asNumber(attribute.f) : fallback;
}

/** A TensorProto's name, dims and type, read from its non-data fields only. */
export function readTensorHeader(source: ByteSource, start: number, end: number): { header: TensorHeader; data?: WireField; floatData?: WireField } {
  const parts: Uint8Array[] = [];
  let data: WireField | undefined;
  let floatData: WireField | undefined;
  for (const field of scanFields(source, start, end)) {
    if (field.field === TENSOR_RAW_DATA) data = field;
    else if (field.field === TENSOR_FLOAT_DATA) floatData = field;
    else if (field.field === 1 || field.field === 2 || field.field === 8 || field.field === 14) parts.push(source.read(field.start, field.end - field.start));
  }
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  const decoded = TensorHeaderType.toObject(TensorHeaderType.decode(joined), { defaults: true, longs: Number }) as TensorHeader;
  return { header: { ...decoded, dims: decoded.dims.map(asNumber) }, data, floatData };
}

/** A TensorProto's fields up to its data: name, dims, type. The raw_data field follows it. */
export function encodeTensorHeader(name: string, dims: number[], dataType: number): Uint8Array {
  return TensorHeaderType.encode(TensorHeaderType.fromObject({ name, dims, dataType })).finish();
}

/** A complete small TensorProto (header + raw_data). */
export function encodeTensor(name: string, dims: number[], dataType: number, raw: Uint8Array): Uint8Array {
  const header = encodeTensorHeader(name, dims, dataType);
  const dataHeader = bytesFieldHeader(TENSOR_RAW_DATA, raw.length);
  const out = new Uint8Array(header.length + dataHeader.length + raw.length);
  out.set(header);
  out.set(dataHeader, header.length);
  out.set(raw, header.length + dataHeader.length);
  return out;
}

export function decodeValueInfoName(bytes: Uint8Array): string {
  return (ValueInfoNameType.toObject(ValueInfoNameType.decode(bytes), { defaults: true }) as { name: string }).name;
}

export function decodeOpset(bytes: Uint8Array): { domain: string; version: number } {
  const opset = OpsetType.toObject(OpsetType.decode(bytes), { defaults: true, longs: Number }) as { domain: string; version: unknown };
  return { domain: opset.domain, version: asNumber(opset.version) };
}
