// Quantizing a model file on disk: the input is read by ranges through a file descriptor, the output
// written as it is produced to `<output>.partial` and renamed into place only when complete, so a
// cancelled or failed run leaves no partial model behind.
import { closeSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { OnnxFormatError, type ByteSource } from '../core/classifier/quantize/onnxWire';
import { quantizeModel, type QuantizeOptions, type QuantizeSummary } from '../core/classifier/quantize/quantizer';
import { ModelFormatError } from '../core/classifier/errors';

export function fileSource(fd: number): ByteSource {
  const size = fstatSync(fd).size;
  return {
    size,
    read(position, length) {
      const buffer = Buffer.allocUnsafeSlow(length);
      let done = 0;
      while (done < length) {
        const n = readSync(fd, buffer, done, length - done, position + done);
        if (n === 0) throw new OnnxFormatError(`unexpected end of file at byte ${position + done}`);
        done += n;
      }
      return buffer;
    },
  };
}

/** Quantizes `input` into `output` (atomically). ModelFormatError for a file that is not a usable fp32 ONNX model. */
export async function quantizeFile(input: string, output: string, options: QuantizeOptions = {}): Promise<QuantizeSummary> {
  const partial = `${output}.partial`;
  const inFd = openSync(input, 'r');
  let outFd: number | undefined;
  try {
    outFd = openSync(partial, 'w');
    const fd = outFd;
    const summary = await quantizeModel(fileSource(inFd), { write: (bytes) => void writeSync(fd, bytes) }, options);
    closeSync(fd);
    outFd = undefined;
    renameSync(partial, output);
    return summary;
  } catch (error) {
    if (outFd !== undefined) closeSync(outFd);
    rmSync(partial, { force: true });
    if (error instanceof OnnxFormatError) throw new ModelFormatError(`${input} could not be quantized: ${error.message}. Download the model again.`);
    throw error;
  } finally {
    closeSync(inFd);
  }
}
