/** A model directory that cannot be used as it is: the message says what is wrong and what to do. */
export class ModelFormatError extends Error {
  override name = 'ModelFormatError';
}
