import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  computeStats,
  formatStatTable,
  histogramQuantile,
  parsePrometheusText,
  splitWeights,
} from '../../../src/proxy/stat.js'

const scrape = (ok: number, bad: number, buckets: [string, number][]) =>
  parsePrometheusText(
    [
      `response_total{direction="outbound",authority="books",dst_service="books",classification="success",status_code="200"} ${ok}`,
      `response_total{direction="outbound",authority="books",dst_service="error-injector",classification="failure",status_code="500"} ${bad}`,
      `response_total{direction="inbound",deployment="books",classification="success",status_code="200"} ${ok}`,
      ...buckets.map(
        ([le, n]) =>
          `response_latency_ms_bucket{direction="outbound",authority="books",dst_service="books",status_code="200",le="${le}"} ${n}`,
      ),
    ].join('\n'),
  )

describe('stat', () => {
  it('computes histogram quantiles as Prometheus does', () => {
    const b: [number, number][] = [
      [1, 0],
      [2, 50],
      [5, 90],
      [10, 100],
      [Infinity, 100],
    ]
    assert.equal(histogramQuantile(0.5, b), 2)
    assert.equal(histogramQuantile(0.9, b), 5)
    assert.equal(histogramQuantile(0.95, b), 7.5)
    assert.equal(histogramQuantile(0.5, [[Infinity, 0]]), undefined)
    assert.equal(
      histogramQuantile(0.99, [
        [1, 0],
        [Infinity, 10],
      ]),
      1,
    )
  })

  it('gives success rate, RPS and latency per service and backend over the window', () => {
    const before = scrape(100, 10, [
      ['1', 0],
      ['5', 10],
      ['+Inf', 10],
    ])
    const after = scrape(190, 20, [
      ['1', 0],
      ['5', 100],
      ['+Inf', 100],
    ])
    const rows = computeStats(before, after, 10)
    assert.deepEqual(
      rows.map((r) => [r.backend, r.requests, r.success, r.rps]),
      [
        ['books', 90, 1, 9],
        ['error-injector', 10, 0, 1],
        ['(all)', 100, 0.9, 10],
      ],
    )
    assert.ok((rows[0]?.p50 ?? 0) > 1 && (rows[0]?.p50 ?? 0) <= 5)
    const weights = splitWeights({
      trafficSplits: [
        {
          service: 'books',
          backends: [
            { service: 'books', weight: '900m' },
            { service: 'error-injector', weight: '100m' },
          ],
        },
      ],
    })
    const table = formatStatTable(rows, weights)
    assert.match(table, /^SERVICE\s+BACKEND\s+WEIGHT\s+SUCCESS\s+RPS/)
    assert.match(table, /books\s+\(all\)\s+-\s+90\.00%\s+10\.0rps/)
    assert.match(table, /books\s+books\s+900m\s+100\.00%\s+9\.0rps/)
    assert.match(table, /error-injector\s+100m\s+0\.00%\s+1\.0rps\s+-/)
  })
})
