import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Agent } from 'undici'
import { PrometheusMetricsProvider } from '../../../src/analysis/providers/prometheus.js'
import { CheckRunner } from '../../../src/analysis/run-checks.js'
import { seeded, type DataPlane } from '../../helpers/data-plane.js'
import { createProxyDataPlane } from '../../helpers/proxy-data-plane.js'
import { startProxy } from '../../../src/proxy/proxy.js'
import {
  eventually,
  prometheusSkipReason,
  startPrometheus,
  type TestPrometheus,
} from '../../helpers/prometheus.js'
import { canaryWith } from '../../helpers/analysis-fixtures.js'

const skip = prometheusSkipReason()
if (skip !== undefined) console.log(`# skipping Prometheus comparison tests: ${skip}`)

/** Each scenario is a namespace holding `app` (the canary) and `app-primary`. */
const SCENARIOS = {
  same: { canary: 1000, canaryErrors: 0.01 },
  worse: { canary: 1000, canaryErrors: 0.03 },
  few: { canary: 40, canaryErrors: 0.01 },
  slow: { canary: 1000, canaryErrors: 0.01, slow: true },
} as const
type Scenario = keyof typeof SCENARIOS

describe(
  'canary-versus-primary comparison over a real Prometheus, with seeded traffic',
  { skip },
  () => {
    let plane: DataPlane
    let prom: TestPrometheus
    let agent: Agent
    let runner: CheckRunner

    before(async () => {
      // Real traffic through fledge's proxy to a backend failing a known share of requests.
      plane = await createProxyDataPlane(startProxy)
      prom = await startPrometheus({ targets: [plane.metricsTarget] })
      agent = new Agent({ keepAliveTimeout: 10 })
      const provider = new PrometheusMetricsProvider({ address: prom.url, dispatcher: agent })
      runner = new CheckRunner({
        defaultProvider: provider,
        providers: { dispatcher: () => agent },
        templates: { get: () => Promise.resolve(undefined) },
      })
      for (const ns of Object.keys(SCENARIOS)) {
        await plane.declare('app', ns)
        await plane.declare('app-primary', ns)
      }
      const count = (q: string): Promise<number> => provider.query(q, AbortSignal.timeout(5000))
      await eventually(
        'the series to be scraped',
        async () => (await count('count(response_total{direction="inbound"})')) >= 16,
      )
      let seed = 1
      for (const [ns, s] of Object.entries(SCENARIOS)) {
        const rp = seeded(seed++)
        const rc = seeded(seed++)
        // Primary: 1000 requests, 1% errors, 2-5 ms. The slow canary takes 1200 ms on 5% of requests.
        await plane.send({
          namespace: ns,
          deployment: 'app-primary',
          requests: 1000,
          fail: () => rp() < 0.01,
          delayMs: (i) => 2 + (i % 4),
          concurrency: 10,
        })
        await plane.send({
          namespace: ns,
          deployment: 'app',
          requests: s.canary,
          fail: () => rc() < s.canaryErrors,
          delayMs: (i) => ('slow' in s && i % 20 === 3 ? 1200 : 2 + (i % 4)),
          concurrency: 10,
        })
      }
      const expected = Object.keys(SCENARIOS).reduce(
        (acc, ns) =>
          acc + plane.totals('app', ns).requests + plane.totals('app-primary', ns).requests,
        0,
      )
      await eventually(
        'all responses to be scraped',
        async () => (await count('sum(response_total{direction="inbound"})')) === expected,
      )
    })

    after(async () => {
      await prom.close()
      await plane.close()
      await agent.close()
    })

    const run = async (ns: Scenario) => {
      const canary = canaryWith(
        [
          {
            name: 'request-success-rate',
            interval: '2m',
            compare: { confidence: 0.95, minSampleSize: 100 },
          },
          {
            // 300 ms of tolerance absorbs the stalls of a loaded machine; the slow canary is 1 s slower.
            name: 'request-duration',
            interval: '2m',
            compare: { confidence: 0.95, minSampleSize: 100, tolerance: 300 },
          },
        ],
        { namespace: ns, target: 'app', name: 'app' },
      )
      const [sr, latency] = await runner.run(
        canary,
        { weight: 500, now: Date.now() },
        AbortSignal.timeout(20_000),
      )
      assert.ok(sr !== undefined && latency !== undefined)
      return { sr, latency }
    }

    it('passes a canary as good as the primary', async () => {
      const { sr, latency } = await run('same')
      assert.equal(sr.outcome, 'Successful', sr.message)
      assert.equal(latency.outcome, 'Successful', latency.message)
      assert.match(sr.query ?? '', /deployment=~"app-primary"/)
    })

    it('fails a canary with 2% more errors at 1000 requests per side', async () => {
      const { sr } = await run('worse')
      assert.equal(sr.outcome, 'Failed', sr.message)
      assert.match(sr.message ?? '', /canary is worse/)
      assert.ok((sr.value ?? 100) < 98.5, `canary success rate ${sr.value}`)
    })

    it('is inconclusive when the canary has too few requests', async () => {
      const { sr, latency } = await run('few')
      assert.equal(sr.outcome, 'Inconclusive', sr.message)
      assert.match(
        sr.message ?? '',
        /not enough traffic yet: canary 4\d requests, primary 1\d\d\d; need at least 100 per side/,
      )
      assert.equal(latency.outcome, 'Inconclusive', latency.message)
    })

    it('fails a canary whose p99 latency is clearly higher', async () => {
      const { sr, latency } = await run('slow')
      assert.equal(sr.outcome, 'Successful', sr.message)
      assert.equal(latency.outcome, 'Failed', latency.message)
      assert.match(latency.message ?? '', /canary is slower/)
    })
  },
)
