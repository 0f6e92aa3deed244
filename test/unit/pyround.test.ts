import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pyRound } from '../../src/core/pyround';

const cases: [number, number, number][] = JSON.parse(readFileSync(resolve(__dirname, '../../../test/fixtures/pyround-cases.json'), 'utf8'));

describe('pyRound (Python 3 round on floats)', () => {
  it('matches Python on every committed case, ties and inexact decimals included', () => {
    const mismatches = cases.filter(([x, n, expected]) => !Object.is(pyRound(x, n), expected));
    assert.deepEqual(mismatches, []);
  });

  it('differs from Math.round and toFixed where Python does', () => {
    assert.equal(pyRound(0.125, 2), 0.12); // tie to even; Math.round gives 0.13
    assert.equal(pyRound(2.675, 2), 2.67); // 2.675 is really 2.67499999...
    assert.equal(pyRound(0.03125, 4), 0.0312);
    assert.equal(pyRound(0.09375, 4), 0.0938);
  });

  it('leaves non-finite values and integers alone and rejects bad ndigits', () => {
    assert.equal(pyRound(Number.POSITIVE_INFINITY, 2), Number.POSITIVE_INFINITY);
    assert.ok(Number.isNaN(pyRound(Number.NaN, 2)));
    assert.equal(pyRound(42, 3), 42);
    assert.throws(() => pyRound(1.5, -1), RangeError);
  });
});
