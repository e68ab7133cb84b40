import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  formatQuantity,
  milliToPercent,
  normalizeWeights,
  parseQuantityMilli,
  percentToMilli,
} from '../../../src/api/weight.js'

describe('weights', () => {
  it('parses every form users write into raw milli-values', () => {
    assert.equal(parseQuantityMilli('900m'), 900)
    assert.equal(parseQuantityMilli('1'), 1000)
    assert.equal(parseQuantityMilli('90'), 90_000)
    assert.equal(parseQuantityMilli(90), 90_000)
    assert.equal(parseQuantityMilli('0.5'), 500)
    assert.equal(parseQuantityMilli(' 100m '), 100)
    assert.equal(parseQuantityMilli('1k'), 1_000_000)
  })

  it('rejects what is not a weight, naming the value', () => {
    for (const bad of ['-1', 'abc', '10%', '', '1e3', -5, Number.NaN]) {
      assert.throws(
        () => parseQuantityMilli(bad),
        (err: Error) => err.message.includes(JSON.stringify(bad)),
      )
    }
  })

  it('normalises relative weights to milli-units of the whole', () => {
    assert.deepEqual(normalizeWeights([900, 100]), [900, 100])
    assert.deepEqual(normalizeWeights([90_000, 10_000]), [900, 100])
    assert.deepEqual(normalizeWeights([1000, 500]), [667, 333])
    assert.deepEqual(normalizeWeights([1, 1, 1]), [334, 333, 333])
    assert.deepEqual(normalizeWeights([0, 0]), [0, 0])
    assert.deepEqual(normalizeWeights([0, 5]), [0, 1000])
  })

  it('converts percent and formats quantities', () => {
    assert.equal(percentToMilli(10), 100)
    assert.equal(percentToMilli(2.5), 25)
    assert.equal(formatQuantity(900), '900m')
    assert.equal(formatQuantity(0), '0')
    assert.equal(milliToPercent(105), 10.5)
    assert.equal(milliToPercent(percentToMilli(12.5)), 12.5)
  })
})
