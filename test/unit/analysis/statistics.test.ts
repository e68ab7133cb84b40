import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Bucket } from '../../../src/analysis/histogram.js'
import {
  compareLatency,
  compareSuccessRate,
  orderStatisticRanks,
} from '../../../src/analysis/statistics.js'
import { seeded } from '../../helpers/data-plane.js'

const opts = { confidence: 0.95, minSampleSize: 100, tolerance: 0 }

/** Failures among n requests each failing with probability p, from a seeded generator. */
function draw(rand: () => number, n: number, p: number): { total: number; failures: number } {
  let failures = 0
  for (let i = 0; i < n; i++) if (rand() < p) failures++
  return { total: n, failures }
}

describe('success rate comparison (one-sided two-proportion z-test)', () => {
  it('passes a canary as good as the primary', () => {
    const v = compareSuccessRate({ total: 1000, failures: 10 }, { total: 1000, failures: 10 }, opts)
    assert.equal(v.outcome, 'Successful')
    assert.equal(v.value, 99)
    assert.equal(v.difference, 0)
  })

  it('fails a canary with 2 points more errors at 1000 requests per side, with the numbers', () => {
    const v = compareSuccessRate({ total: 1000, failures: 30 }, { total: 1000, failures: 10 }, opts)
    assert.equal(v.outcome, 'Failed')
    // pooled p = 0.02, se = sqrt(0.02·0.98·2/1000) = 0.00626, z = (0.02 - 0.001)/0.00626 = 3.03
    assert.match(
      v.message,
      /canary success rate 97% \(970\/1000\) vs primary 99% \(990\/1000\), z=3\.03, p=0\.0012/,
    )
    assert.ok(Math.abs((v.difference ?? 0) + 2) < 1e-9)
  })

  it('is inconclusive below the minimum sample size on either side', () => {
    const v = compareSuccessRate({ total: 99, failures: 50 }, { total: 1000, failures: 0 }, opts)
    assert.equal(v.outcome, 'Inconclusive')
    assert.equal(
      v.message,
      'not enough traffic yet: canary 99 requests, primary 1000; need at least 100 per side',
    )
    assert.equal(
      compareSuccessRate({ total: 500, failures: 0 }, { total: 0, failures: 0 }, opts).outcome,
      'Inconclusive',
    )
  })

  it('tolerates a degradation within the tolerance, and not beyond it', () => {
    const c = { total: 10_000, failures: 150 }
    const p = { total: 10_000, failures: 100 }
    assert.equal(compareSuccessRate(c, p, opts).outcome, 'Failed')
    assert.equal(compareSuccessRate(c, p, { ...opts, tolerance: 1 }).outcome, 'Successful')
    assert.equal(
      compareSuccessRate({ total: 10_000, failures: 400 }, p, { ...opts, tolerance: 1 }).outcome,
      'Failed',
    )
  })

  it('does not raise an alarm on a handful of failures (continuity correction)', () => {
    // 3 of 100 against 0 of 100: Fisher's exact test gives p = 0.12; so does the corrected z-test.
    const v = compareSuccessRate({ total: 100, failures: 3 }, { total: 100, failures: 0 }, opts)
    assert.equal(v.outcome, 'Successful')
    assert.match(v.message, /z=1\.16, p=0\.122/)
  })

  it('never fails a canary that is better, or when neither side fails', () => {
    assert.equal(
      compareSuccessRate({ total: 1000, failures: 0 }, { total: 1000, failures: 50 }, opts).outcome,
      'Successful',
    )
    assert.equal(
      compareSuccessRate({ total: 1000, failures: 0 }, { total: 1000, failures: 0 }, opts).outcome,
      'Successful',
    )
    assert.equal(
      compareSuccessRate({ total: 1000, failures: 5 }, { total: 1000, failures: 0 }, opts).outcome,
      'Failed',
    )
  })

  it('has the false-alarm rate its confidence promises (seeded simulation)', () => {
    const rand = seeded(42)
    let alarms = 0
    const trials = 2000
    for (let t = 0; t < trials; t++) {
      const v = compareSuccessRate(draw(rand, 1000, 0.02), draw(rand, 1000, 0.02), opts)
      if (v.outcome === 'Failed') alarms++
    }
    // At most 5%: with the continuity correction the test is a little conservative (about 3.5%).
    assert.ok(alarms / trials > 0.015 && alarms / trials < 0.06, `false alarms ${alarms}/${trials}`)
  })

  it('catches 2% more errors at 1000 requests per side nearly always (seeded simulation)', () => {
    const rand = seeded(7)
    let caught = 0
    for (let t = 0; t < 500; t++) {
      if (
        compareSuccessRate(draw(rand, 1000, 0.03), draw(rand, 1000, 0.01), opts).outcome ===
        'Failed'
      )
        caught++
    }
    assert.ok(caught / 500 > 0.9, `power ${caught}/500`)
  })
})

const BOUNDS = [
  1,
  2,
  3,
  4,
  5,
  10,
  20,
  30,
  40,
  50,
  100,
  200,
  300,
  400,
  500,
  1000,
  Number.POSITIVE_INFINITY,
]
/** A cumulative histogram of the given observations over Linkerd-like bounds. */
function histogram(values: readonly number[]): Bucket[] {
  return BOUNDS.map((le) => ({ le, count: values.filter((v) => v <= le).length }))
}
const sample = (n: number, slowShare: number, slowMs: number, seed: number): number[] => {
  const rand = seeded(seed)
  return Array.from({ length: n }, () => (rand() < slowShare ? slowMs : 2 + rand() * 6))
}

describe('latency comparison (order-statistic bounds on p99)', () => {
  it('passes a canary with the same distribution', () => {
    const v = compareLatency(
      histogram(sample(2000, 0.02, 150, 1)),
      histogram(sample(2000, 0.02, 150, 2)),
      opts,
    )
    assert.equal(v.outcome, 'Successful', v.message)
  })

  it('fails a canary whose tail moved up by several buckets', () => {
    const v = compareLatency(
      histogram(sample(2000, 0.05, 450, 3)),
      histogram(sample(2000, 0.005, 150, 4)),
      opts,
    )
    assert.equal(v.outcome, 'Failed', v.message)
    assert.match(
      v.message,
      /canary p99 .*lower bound 400ms\) vs primary p99 .*upper bound (10|200)ms\)/,
    )
  })

  it('honours the tolerance in milliseconds', () => {
    const c = histogram(sample(2000, 0.05, 450, 3))
    const p = histogram(sample(2000, 0.005, 150, 4))
    assert.equal(compareLatency(c, p, { ...opts, tolerance: 500 }).outcome, 'Successful')
  })

  it('is inconclusive with too few requests, or when the primary p99 cannot be bounded', () => {
    assert.equal(
      compareLatency(histogram(sample(50, 0, 0, 5)), histogram(sample(2000, 0, 0, 6)), opts)
        .outcome,
      'Inconclusive',
    )
    const v = compareLatency(histogram(sample(150, 0, 0, 5)), histogram(sample(150, 0, 0, 6)), opts)
    assert.equal(v.outcome, 'Inconclusive')
    assert.match(v.message, /too few primary requests to bound its p99/)
  })
})

describe('order-statistic ranks bounding a quantile (exact binomial)', () => {
  it('gives the classical ranks', () => {
    // p99 of 1000: A ~ Binomial(1000, 0.01); P(A <= 17) >= 0.975, P(A <= 3) <= 0.025.
    assert.deepEqual(orderStatisticRanks(1000, 1000, 0.99, 0.025), { lower: 983, upper: 997 })
    // Median of 1000: 500 ± 1.96·√1000/2, the textbook interval.
    assert.deepEqual(orderStatisticRanks(1000, 1000, 0.5, 0.025), { lower: 469, upper: 532 })
  })

  it('cannot bound a p99 from above with fewer than 368 observations at 97.5%', () => {
    assert.equal(orderStatisticRanks(367, 367, 0.99, 0.025).upper, 368)
    assert.equal(orderStatisticRanks(368, 368, 0.99, 0.025).upper, 368)
  })

  it('covers the true quantile as often as promised (seeded simulation)', () => {
    const rand = seeded(99)
    const n = 1000
    const { lower, upper } = orderStatisticRanks(n, n, 0.99, 0.025)
    let lowOk = 0
    let highOk = 0
    const trials = 1000
    for (let t = 0; t < trials; t++) {
      const xs = Array.from({ length: n }, rand).sort((a, b) => a - b)
      if ((xs[lower - 1] ?? 1) <= 0.99) lowOk++
      if ((xs[upper - 1] ?? 0) >= 0.99) highOk++
    }
    // Each bound holds with probability >= 97.5% (3 standard errors of slack below).
    assert.ok(lowOk / trials > 0.96, `lower bound held ${lowOk}/${trials}`)
    assert.ok(highOk / trials > 0.96, `upper bound held ${highOk}/${trials}`)
  })
})
