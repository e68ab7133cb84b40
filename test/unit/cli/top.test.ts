import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parsePrometheusText } from '../../../src/proxy/stat.js'
import { busiestFirst, trafficTable } from '../../../src/cli/top-reader.js'
import { metricsText } from './metrics-text.js'

describe('fledge top table', () => {
  const le = (a: number, b: number): [string, number][] => [
    ['10', a],
    ['100', b],
    ['+Inf', b],
  ]
  const before = parseMetrics([
    { authority: 'books', dst: 'books-primary', ok: 100, bad: 0, le: le(100, 100) },
    { authority: 'authors', dst: 'authors', ok: 10, bad: 0, le: le(10, 10) },
  ])
  const after = parseMetrics([
    { authority: 'books', dst: 'books-primary', ok: 280, bad: 0, le: le(200, 280) },
    { authority: 'books', dst: 'books-canary', ok: 18, bad: 2, le: le(20, 20) },
    { authority: 'authors', dst: 'authors', ok: 10, bad: 0, le: le(10, 10) },
    { authority: 'webapp', dst: 'webapp', ok: 20, bad: 0, le: le(20, 20) },
  ])

  function parseMetrics(rows: Parameters<typeof metricsText>[0]) {
    return parsePrometheusText(metricsText(rows))
  }

  it('shows the traffic between two scrapes, busiest service first, idle ones left out', () => {
    const table = trafficTable(before, after, 2, new Map([['books/books-canary', '100m']]))
    const lines = table.split('\n')
    assert.match(lines[0] ?? '', /^SERVICE +BACKEND +WEIGHT +SUCCESS +RPS +LATENCY_P50/)
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(/ +/).slice(0, 5).join(' ')),
      [
        'books books-canary 100m 90.00% 10.0rps',
        'books books-primary - 100.00% 90.0rps',
        'books (all) - 99.00% 100.0rps',
        'webapp webapp - 100.00% 10.0rps',
      ],
    )
    assert.equal(trafficTable(after, after, 2), 'No traffic in the last interval.')
  })

  it('orders services by their busiest row and keeps each service together', () => {
    const row = (service: string, backend: string, requests: number) => ({
      service,
      backend,
      requests,
      success: 1,
      rps: 0,
      p50: undefined,
      p95: undefined,
      p99: undefined,
    })
    const rows = busiestFirst([
      row('a', 'x', 1),
      row('b', 'y', 5),
      row('b', 'z', 2),
      row('c', 'c', 5),
    ])
    assert.deepEqual(
      rows.map((r) => `${r.service}/${r.backend}`),
      ['b/y', 'b/z', 'c/c', 'a/x'],
    )
  })
})
