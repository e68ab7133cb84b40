import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { bucketOfRank, histogramQuantile, type Bucket } from '../../../src/analysis/histogram.js'

const INF = Number.POSITIVE_INFINITY
const h = (...pairs: [number, number][]): Bucket[] => pairs.map(([le, count]) => ({ le, count }))

describe('histogram_quantile, as Prometheus computes it', () => {
  it('interpolates linearly inside the bucket holding the rank', () => {
    // 100 observations: 50 in (0,10], 40 in (10,20], 10 in (20,+Inf].
    const b = h([10, 50], [20, 90], [INF, 100])
    assert.equal(histogramQuantile(0.5, b), 10)
    assert.equal(histogramQuantile(0.7, b), 15)
    assert.equal(histogramQuantile(0.25, b), 5) // the lowest bucket starts at 0
  })

  it('answers a rank in the +Inf bucket with the highest finite bound', () => {
    assert.equal(histogramQuantile(0.99, h([10, 50], [20, 90], [INF, 100])), 20)
  })

  it('gives NaN without a +Inf bucket, without observations, or with one bucket', () => {
    assert.ok(Number.isNaN(histogramQuantile(0.5, h([10, 5], [20, 9]))))
    assert.ok(Number.isNaN(histogramQuantile(0.5, h([10, 0], [INF, 0]))))
    assert.ok(Number.isNaN(histogramQuantile(0.5, h([INF, 10]))))
    assert.ok(Number.isNaN(histogramQuantile(0.5, [])))
    assert.ok(Number.isNaN(histogramQuantile(Number.NaN, h([10, 5], [INF, 9]))))
  })

  it('gives -Inf below q=0 and +Inf above q=1', () => {
    assert.equal(histogramQuantile(-0.1, h([10, 5], [INF, 9])), Number.NEGATIVE_INFINITY)
    assert.equal(histogramQuantile(1.1, h([10, 5], [INF, 9])), INF)
  })

  it('returns the first bound when it is not positive and holds the rank', () => {
    assert.equal(histogramQuantile(0.1, h([-5, 5], [0, 8], [INF, 10])), -5)
  })

  it('sorts buckets, sums equal bounds, and forces counts monotonic', () => {
    assert.equal(histogramQuantile(0.5, h([INF, 100], [20, 90], [10, 50])), 10)
    // Two series with the same le are summed (e.g. label sets that sum() merged).
    assert.equal(histogramQuantile(0.5, h([10, 25], [10, 25], [20, 90], [INF, 100])), 10)
    // A dip (rate() of separate scrapes) is raised to the running maximum.
    assert.equal(histogramQuantile(0.5, h([10, 50], [20, 40], [30, 90], [INF, 100])), 10)
  })

  it('gives q=0 the start of the lowest bucket', () => {
    assert.equal(histogramQuantile(0, h([10, 5], [20, 10], [INF, 10])), 0)
  })
})

describe('bucketOfRank', () => {
  it('finds the bucket that certainly holds an order statistic', () => {
    const b = h([10, 50], [20, 90], [INF, 100])
    assert.deepEqual(bucketOfRank(b, 1), { lower: 0, upper: 10 })
    assert.deepEqual(bucketOfRank(b, 51), { lower: 10, upper: 20 })
    assert.deepEqual(bucketOfRank(b, 100), { lower: 20, upper: INF })
    assert.equal(bucketOfRank(b, 0), undefined)
    assert.equal(bucketOfRank(b, 101), undefined)
  })
})
