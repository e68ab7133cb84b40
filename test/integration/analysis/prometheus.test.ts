import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Agent } from 'undici'
import type { MetricTemplate } from '../../../src/api/metric-template.js'
import { InProcessMetricsProvider } from '../../../src/analysis/providers/in-process.js'
import { PrometheusMetricsProvider } from '../../../src/analysis/providers/prometheus.js'
import { CheckRunner } from '../../../src/analysis/run-checks.js'
import {
  bucketIndex,
  evenly,
  trueQuantile,
  type DataPlane,
  type TrafficResult,
} from '../../helpers/data-plane.js'
import { createExporterDataPlane } from '../../helpers/linkerd-exporter.js'
import { createProxyDataPlane } from '../../helpers/proxy-data-plane.js'
import { startProxy } from '../../../src/proxy/proxy.js'
import {
  eventually,
  prometheusSkipReason,
  startPrometheus,
  type TestPrometheus,
} from '../../helpers/prometheus.js'
import { canaryWith, template } from '../../helpers/analysis-fixtures.js'

const skip = prometheusSkipReason()
if (skip !== undefined) console.log(`# skipping Prometheus analysis tests: ${skip}`)

/**
 * Two data planes: fledge's proxy carrying the traffic (the acceptance case), and the exporter,
 * where series exist at zero before the traffic, so in-process and Prometheus agree exactly.
 */
const PLANES: [string, () => Promise<DataPlane>][] = [
  ["fledge's proxy", () => createProxyDataPlane(startProxy)],
  ['a Linkerd-named exporter', createExporterDataPlane],
]

for (const [planeName, createPlane] of PLANES)
  describe(`analysis against a real Prometheus scraping ${planeName}`, { skip }, () => {
    let plane: DataPlane
    let prom: TestPrometheus
    let agent: Agent
    let provider: PrometheusMetricsProvider
    let truth: TrafficResult
    let inProcess: InProcessMetricsProvider
    const templates = new Map<string, MetricTemplate>()
    const runner = (): CheckRunner =>
      new CheckRunner({
        defaultProvider: provider,
        providers: { dispatcher: () => agent },
        templates: { get: (_ns, name) => Promise.resolve(templates.get(name)) },
      })
    const ask = (promql: string): Promise<number> =>
      provider.query(promql, AbortSignal.timeout(5000))

    before(async () => {
      plane = await createPlane()
      prom = await startPrometheus({ targets: [plane.metricsTarget] })
      agent = new Agent({ keepAliveTimeout: 10 })
      provider = new PrometheusMetricsProvider({ address: prom.url, dispatcher: agent })
      await plane.declare('podinfo', 'test')
      // rate() needs the series before the traffic: wait for a scrape of them.
      await eventually('the series to be scraped', async () => {
        return (await ask('count(response_total{namespace="test", deployment="podinfo"})')) >= 2
      })
      // The in-process provider reads the same registry; its first snapshot is the window's start.
      inProcess = new InProcessMetricsProvider({ registry: plane.registry, sampleEveryMs: 500 })
      await inProcess.start()
      const batch = await plane.send({
        namespace: 'test',
        deployment: 'podinfo',
        requests: 1000,
        fail: evenly(0.07),
        // 2% of requests take about 150 ms, the rest a few ms: p99 falls in the (100, 200] bucket.
        delayMs: (i) => (i % 50 === 7 ? 150 : 2 + (i % 4)),
      })
      assert.equal(batch.failures, 70)
      truth = plane.totals('podinfo', 'test')
      await eventually('every response to be scraped', async () => {
        const n = await ask('sum(response_total{namespace="test", deployment="podinfo"})')
        return n === truth.requests
      })
    })

    after(async () => {
      inProcess.close()
      await prom.close()
      await plane.close()
      await agent.close()
    })

    const metrics = [
      { name: 'request-success-rate', interval: '2m', thresholdRange: { min: 90 } },
      { name: 'request-duration', interval: '2m', thresholdRange: { max: 500 } },
    ]

    for (const mesh of ['fledge', 'linkerd'] as const) {
      it(`measures the ${mesh} builtin success rate within 1 point and p99 within one bucket`, async () => {
        const canary = canaryWith(metrics, { namespace: 'test', provider: mesh })
        const [sr, p99] = await runner().run(
          canary,
          { weight: 100, now: Date.now() },
          AbortSignal.timeout(20_000),
        )
        const trueRate = 100 * (1 - truth.failures / truth.requests)
        assert.equal(sr?.outcome, 'Successful', sr?.message)
        assert.ok(
          Math.abs((sr.value ?? 0) - trueRate) <= 1,
          `success rate ${sr.value} vs truth ${trueRate}`,
        )
        assert.match(sr.query ?? '', /namespace="test", (dst_)?deployment=~"podinfo"/)
        const real = trueQuantile(truth.latenciesMs, 0.99)
        assert.equal(p99?.outcome, 'Successful', p99?.message)
        assert.ok(
          Math.abs(bucketIndex(p99.value ?? -1) - bucketIndex(real)) <= 1,
          `p99 ${p99.value}ms vs truth ${real}ms`,
        )
      })
    }

    it('answers the builtin checks in process the same way, from the registry deltas', async () => {
      const now = Date.now()
      const r = new CheckRunner({
        defaultProvider: inProcess,
        providers: { dispatcher: () => agent },
        templates: { get: () => Promise.resolve(undefined) },
      })
      const canary = canaryWith(metrics, { namespace: 'test' })
      const [sr, p99] = await r.run(canary, { weight: 100, now }, AbortSignal.timeout(5000))
      const promSr = await ask(
        'sum(rate(response_total{namespace="test", deployment="podinfo", classification!="failure"}[2m])) / sum(rate(response_total{namespace="test", deployment="podinfo"}[2m])) * 100',
      )
      const promP99 = await ask(
        'histogram_quantile(0.99, sum(rate(response_latency_ms_bucket{namespace="test", deployment="podinfo"}[2m])) by (le))',
      )
      // Equal when every series existed at zero before the window (the exporter); a proxy creates
      // series on first use, which Prometheus extrapolates a little: hence the small margins.
      assert.equal(sr?.outcome, 'Successful', sr?.message)
      assert.ok(
        Math.abs((sr.value ?? 0) - promSr) < 0.1,
        `in-process ${sr.value} vs prometheus ${promSr}`,
      )
      assert.ok(
        Math.abs((p99?.value ?? 0) - promP99) <= 0.01 * promP99,
        `in-process ${p99?.value} vs prometheus ${promP99}`,
      )
    })

    it('gives Inconclusive, naming the query, for a series that does not exist', async () => {
      templates.set(
        'ghost',
        template(
          'ghost',
          'sum(rate(fledge_no_such_metric_total{namespace="{{ namespace }}"}[{{ interval }}]))',
          prom.url,
        ),
      )
      const canary = canaryWith(
        [{ name: 'ghost', templateRef: { name: 'ghost' }, thresholdRange: { max: 1 } }],
        {
          namespace: 'test',
        },
      )
      const [m] = await runner().run(
        canary,
        { weight: 100, now: Date.now() },
        AbortSignal.timeout(10_000),
      )
      assert.equal(m?.outcome, 'Inconclusive')
      assert.equal(m.query, 'sum(rate(fledge_no_such_metric_total{namespace="test"}[1m]))')
      assert.ok(m.message?.includes(m.query), m.message)
    })

    it('gives Error, never a pass, while Prometheus is down, and continues once it is back', async () => {
      const canary = canaryWith(metrics, { namespace: 'test' })
      const ok = await runner().run(
        canary,
        { weight: 100, now: Date.now() },
        AbortSignal.timeout(20_000),
      )
      assert.deepEqual(
        ok.map((m) => m.outcome),
        ['Successful', 'Successful'],
      )
      await prom.stop()
      const down = await runner().run(
        canary,
        { weight: 100, now: Date.now() },
        AbortSignal.timeout(20_000),
      )
      assert.deepEqual(
        down.map((m) => m.outcome),
        ['Error', 'Error'],
      )
      for (const m of down) assert.match(m.message ?? '', /unreachable|timed out/)
      await assert.rejects(
        runner().assertOnline(canary, AbortSignal.timeout(10_000)),
        /not available/,
      )
      await prom.restart()
      await runner().assertOnline(canary, AbortSignal.timeout(10_000))
      await eventually('analysis to pass again after the restart', async () => {
        const again = await runner().run(
          canary,
          { weight: 100, now: Date.now() },
          AbortSignal.timeout(20_000),
        )
        return again.every((m) => m.outcome === 'Successful')
      })
    })
  })
