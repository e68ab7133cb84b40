import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Registry } from 'prom-client'
import { FastCounter, FastHistogram } from '../../../src/proxy/fast-metrics.js'

describe('fast metrics', () => {
  it('writes counters and histograms in the Prometheus text format, as prom-client would', async () => {
    const registry = new Registry()
    const c = new FastCounter(registry, 'request_total', 'Requests')
    const s = c.series({ direction: 'outbound', authority: 'books' })
    s.value += 3
    assert.equal(
      c.series({ authority: 'books', direction: 'outbound' }),
      s,
      'one series per label set, in any order',
    )
    const h = new FastHistogram(registry, 'response_latency_ms', 'Latency', [1, 5, 10])
    const hs = h.series({ status_code: '200' })
    for (const v of [0.5, 1, 3, 7, 100]) h.observe(hs, v)
    const text = await registry.metrics()
    assert.match(
      text,
      /# TYPE request_total counter\nrequest_total\{direction="outbound",authority="books"\} 3/,
    )
    assert.match(text, /# TYPE response_latency_ms histogram/)
    for (const line of [
      'response_latency_ms_bucket{status_code="200",le="1"} 2',
      'response_latency_ms_bucket{status_code="200",le="5"} 3',
      'response_latency_ms_bucket{status_code="200",le="10"} 4',
      'response_latency_ms_bucket{status_code="200",le="+Inf"} 5',
      'response_latency_ms_sum{status_code="200"} 111.5',
      'response_latency_ms_count{status_code="200"} 5',
    ]) {
      assert.ok(text.includes(line), line)
    }
    const json = await registry.getMetricsAsJSON()
    assert.deepEqual(
      json.map((m) => [m.name, m.type]),
      [
        ['request_total', 'counter'],
        ['response_latency_ms', 'histogram'],
      ],
    )
  })
})
