/**
 * Python 3's `round(x, ndigits)` for floats: the exact binary value of `x` rounded to `ndigits`
 * decimals, ties to even. `toFixed` and `Math.round(x * 10 ** n) / 10 ** n` differ on ties and on
 * values whose scaled product is inexact (e.g. 2.675 -> 2.67 in Python, 2.68 with Math.round).
 */
export function pyRound(x: number, ndigits = 0): number {
  if (!Number.isFinite(x) || x === 0) return x;
  if (!Number.isInteger(ndigits) || ndigits < 0 || ndigits > 300) throw new RangeError(`ndigits must be an integer in 0..300, got ${ndigits}`);
  const { mantissa, exponent } = decompose(Math.abs(x));
  if (exponent >= 0) return x; // an integer already: nothing after the point
  const scaled = mantissa * 10n ** BigInt(ndigits);
  const denominator = 1n << BigInt(-exponent);
  let quotient = scaled / denominator;
  const twiceRemainder = 2n * (scaled - quotient * denominator);
  if (twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n)) quotient += 1n;
  // Parsing the decimal string gives the correctly rounded double, as Python's float() of the digits does.
  const magnitude = Number(`${quotient}e-${ndigits}`);
  return x < 0 ? -magnitude : magnitude;
}

/** Splits a positive finite double into an integer mantissa and a power-of-two exponent. */
function decompose(value: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const biasedExponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  return biasedExponent === 0
    ? { mantissa: fraction, exponent: -1074 } // subnormal
    : { mantissa: fraction | (1n << 52n), exponent: biasedExponent - 1075 };
}
