import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Counter, Histogram, Registry } from 'prom-client'
import { fledgeObserver } from '../../../src/analysis/observers/fledge.js'
import { InProcessMetricsProvider } from '../../../src/analysis/providers/in-process.js'
import { templateModel } from '../../../src/analysis/render.js'
import type { FledgeError } from '../../../src/util/errors.js'
import { ErrorCodes } from '../../../src/util/errors.js'
import { canaryWith } from '../../helpers/analysis-fixtures.js'
import { LINKERD_LATENCY_BUCKETS } from '../../helpers/data-plane.js'

function proxyRegistry() {
  const registry = new Registry()
  const responses = new Counter({
    name: 'response_total',
    help: 'h',
    labelNames: ['dst_namespace', 'dst_deployment', 'classification', 'status_code', 'direction'],
    registers: [registry],
  })
  const latency = new Histogram({
    name: 'response_latency_ms',
    help: 'h',
    labelNames: ['dst_namespace', 'dst_deployment', 'direction'],
    buckets: [...LINKERD_LATENCY_BUCKETS],
    registers: [registry],
  })
  const serve = (
    deployment: string,
    n: number,
    failEvery: number,
    ms: (i: number) => number,
  ): void => {
    for (let i = 0; i < n; i++) {
      const fail = failEvery > 0 && i % failEvery === 0
      responses.inc({
        dst_namespace: 'default',
        dst_deployment: deployment,
        direction: 'outbound',
        classification: fail ? 'failure' : 'success',
        status_code: fail ? '503' : '200',
      })
      latency.observe(
        { dst_namespace: 'default', dst_deployment: deployment, direction: 'outbound' },
        ms(i),
      )
    }
  }
  return { registry, serve, responses, latency }
}

const metric = { name: 'request-success-rate', interval: '1m' }
const model = templateModel(canaryWith([metric]), metric)
const signal = AbortSignal.timeout(5000)

describe('in-process metrics from the proxy registry', () => {
  it('computes the success rate and p99 over the window from deltas', async () => {
    const { registry, serve } = proxyRegistry()
    let now = 0
    const p = new InProcessMetricsProvider({ registry, now: () => now })
    serve('podinfo', 500, 2, () => 7) // before the window: must not count
    await p.sample()
    now = 30_000
    serve('podinfo', 1000, 20, (i) => (i % 100 === 0 ? 150 : 3)) // 5% failures, 1% at 150 ms
    await p.sample()
    now = 60_000
    assert.equal(await p.query(fledgeObserver.successRate(model), signal), 95)
    // 990 ≤ 3 ms then 10 in (100, 200]: rank 990 falls at the top of the (2, 3] bucket.
    assert.equal(await p.query(fledgeObserver.requestDuration(model), signal), 3)
    assert.equal(await p.query(fledgeObserver.requests(model), signal), 1000)
    assert.equal(await p.query(fledgeObserver.failures(model), signal), 50)
  })

  it('takes the newest snapshot at or before the window start as the baseline', async () => {
    const { registry, serve } = proxyRegistry()
    let now = 0
    const p = new InProcessMetricsProvider({ registry, now: () => now })
    serve('podinfo', 100, 0, () => 1)
    await p.sample() // t=0
    now = 20_000
    serve('podinfo', 100, 0, () => 1)
    await p.sample() // t=20s
    now = 80_000
    serve('podinfo', 40, 2, () => 1)
    // Window [20s, 80s]: only the last 40 requests, half failed.
    assert.equal(await p.query(fledgeObserver.successRate(model), signal), 50)
  })

  it('treats a counter that went down as reset, as rate() does', async () => {
    const { registry, serve, responses } = proxyRegistry()
    let now = 0
    const p = new InProcessMetricsProvider({ registry, now: () => now })
    serve('podinfo', 100, 0, () => 1)
    await p.sample()
    responses.reset()
    serve('podinfo', 10, 5, () => 1) // 2 failures of 10 since the restart
    now = 30_000
    assert.equal(await p.query(fledgeObserver.requests(model), signal), 10)
    assert.equal(await p.query(fledgeObserver.successRate(model), signal), 80)
  })

  it('says no data when the target has no series, or no requests in the window', async () => {
    const { registry, serve } = proxyRegistry()
    let now = 0
    const p = new InProcessMetricsProvider({ registry, now: () => now })
    serve('other', 10, 0, () => 1)
    await p.sample()
    now = 10_000
    await assert.rejects(
      p.query(fledgeObserver.successRate(model), signal),
      (e: FledgeError) => e.code === ErrorCodes.NO_DATA,
    )
    serve('podinfo', 10, 0, () => 1)
    await p.sample()
    now = 100_000 // the window (40s, 100s] has no new requests: 0/0
    await assert.rejects(p.query(fledgeObserver.successRate(model), signal), /NaN/)
    await assert.rejects(p.query(fledgeObserver.requestDuration(model), signal), /NaN/)
  })

  it('rejects PromQL text: it answers typed queries only', async () => {
    const p = new InProcessMetricsProvider({ registry: new Registry() })
    await assert.rejects(
      p.query('sum(rate(response_total[1m]))', signal),
      (e: FledgeError) => e.code === ErrorCodes.QUERY_REJECTED && e.message.includes('not PromQL'),
    )
  })

  it('keeps only the history it is told to, and samples on a timer', async () => {
    const { registry, serve } = proxyRegistry()
    let now = 0
    const p = new InProcessMetricsProvider({ registry, now: () => now, retainMs: 10_000 })
    for (let i = 0; i < 50; i++) {
      now = i * 1000
      if (i === 5) serve('podinfo', 100, 0, () => 1) // older than the retained 10 s
      if (i === 45) serve('podinfo', 10, 0, () => 1)
      await p.sample()
    }
    // A 60 s window reaches past the retained history: the oldest kept snapshot is its start.
    assert.equal(await p.query(fledgeObserver.requests(model), signal), 10)
    await p.assertOnline(signal)
    const timed = new InProcessMetricsProvider({ registry, sampleEveryMs: 5 })
    await timed.start()
    serve('podinfo', 3, 0, () => 1)
    timed.close()
    assert.equal(await timed.query(fledgeObserver.requests(model), signal), 3)
  })

  it('reports a registry that cannot be read as backend unavailable', async () => {
    const p = new InProcessMetricsProvider({
      registry: { getMetricsAsJSON: () => Promise.reject(new Error('boom')) },
    })
    await assert.rejects(
      p.assertOnline(signal),
      (e: FledgeError) => e.code === ErrorCodes.BACKEND_UNAVAILABLE,
    )
  })
})
