import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { normalCdf, normalQuantile } from '../../../src/analysis/normal.js'

// Reference values from Python: 0.5·erfc(-x/√2) and statistics.NormalDist().inv_cdf (AS241).
const CDF: [number, number][] = [
  [0, 0.5],
  [1, 0.8413447460685429],
  [-1, 0.15865525393145707],
  [1.6448536269514722, 0.95],
  [1.959963984540054, 0.975],
  [-3, 0.0013498980316300957],
  [3, 0.9986501019683699],
  [-5, 2.866515718791946e-7],
  [-8, 6.220960574271819e-16],
  [-10, 7.619853024160593e-24],
]

const QUANTILE: [number, number][] = [
  [0.5, 0],
  [0.95, 1.6448536269514715],
  [0.975, 1.9599639845400536],
  [0.99, 2.3263478740408408],
  [0.001, -3.090232306167813],
  [0.02425, -1.9729610513118845],
  [1e-10, -6.361340902404056],
  [0.999999, 4.753424308817089],
]

describe('standard normal distribution', () => {
  it('computes the CDF to 1e-15 absolute and 1e-7 relative error, far tails included', () => {
    for (const [x, want] of CDF) {
      const got = normalCdf(x)
      assert.ok(Math.abs(got - want) <= 1e-15, `Φ(${x}) = ${got}, want ${want}`)
      assert.ok(Math.abs(got - want) <= 1e-7 * want, `Φ(${x}) = ${got}, want ${want} (relative)`)
    }
  })

  it('is symmetric: Φ(-x) = 1 - Φ(x)', () => {
    for (let x = 0; x < 6; x += 0.37) {
      assert.ok(Math.abs(normalCdf(-x) - (1 - normalCdf(x))) < 1e-15)
    }
  })

  it('inverts the CDF to about 1e-9 relative error, far tails included', () => {
    for (const [p, want] of QUANTILE) {
      const got = normalQuantile(p)
      assert.ok(
        Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)),
        `Φ⁻¹(${p}) = ${got}, want ${want}`,
      )
    }
  })

  it('round-trips across the range', () => {
    for (let p = 0.0005; p < 1; p += 0.0137) {
      assert.ok(Math.abs(normalCdf(normalQuantile(p)) - p) < 1e-13, `p=${p}`)
    }
  })

  it('answers the edges', () => {
    assert.equal(normalQuantile(0), Number.NEGATIVE_INFINITY)
    assert.equal(normalQuantile(1), Number.POSITIVE_INFINITY)
    assert.ok(Number.isNaN(normalQuantile(1.5)))
    assert.ok(Number.isNaN(normalQuantile(-0.1)))
    assert.ok(Number.isNaN(normalCdf(Number.NaN)))
    assert.equal(normalCdf(40), 1)
    assert.equal(normalCdf(-40), 0)
  })
})
