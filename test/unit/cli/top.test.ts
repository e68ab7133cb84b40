import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parseMetrics, quantile, trafficTable } from '../../../src/cli/top-reader.js'
import { metricsText } from './metrics-text.js'

describe('fledge top arithmetic', () => {
  it('parses labels, escapes and +Inf', () => {
    const s = parseMetrics('a{x="1",y="q\\"z"} 3\nb +Inf\n# c 1\n\nbad line')
    assert.deepEqual(s, [
      { name: 'a', labels: { x: '1', y: 'q"z' }, value: 3 },
      { name: 'b', labels: {}, value: Infinity },
    ])
  })

  it('interpolates quantiles inside the bucket that holds the rank', () => {
    const b = new Map([
      [10, 50],
      [20, 100],
      [Infinity, 100],
    ])
    assert.equal(quantile(0.5, b), 10)
    assert.equal(quantile(0.75, b), 15)
    assert.equal(quantile(0.5, new Map()), undefined)
    assert.equal(
      quantile(
        0.99,
        new Map([
          [10, 1],
          [Infinity, 100],
        ]),
      ),
      10,
    )
  })

  it('tabulates the traffic between two scrapes, busiest first', () => {
    const le = (a: number, b: number): [string, number][] => [
      ['10', a],
      ['100', b],
      ['+Inf', b],
    ]
    const before = parseMetrics(
      metricsText([
        { authority: 'books', dst: 'books-primary', ok: 100, bad: 0, le: le(100, 100) },
        { authority: 'authors', dst: 'authors', ok: 10, bad: 0, le: le(10, 10) },
      ]),
    )
    const after = parseMetrics(
      metricsText([
        { authority: 'books', dst: 'books-primary', ok: 280, bad: 20, le: le(200, 300) },
        { authority: 'authors', dst: 'authors', ok: 10, bad: 0, le: le(10, 10) },
        { authority: 'webapp', dst: 'webapp', ok: 20, bad: 0, le: le(20, 20) },
      ]),
    )
    assert.equal(
      trafficTable(before, after, 2),
      [
        'SERVICE   BACKEND         SUCCESS   RPS        LATENCY_P50   LATENCY_P95   LATENCY_P99',
        'books     books-primary   90.00%    100.0rps   10ms          91ms          98ms',
        'webapp    webapp          100.00%   10.0rps    5ms           10ms          10ms',
      ].join('\n'),
    )
    assert.equal(trafficTable(after, after, 2), 'No traffic in the last interval.')
  })
})
