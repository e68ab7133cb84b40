import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Registry } from 'prom-client'
import { Agent } from 'undici'
import type { MetricTemplate } from '../../../src/api/metric-template.js'
import { createAnalysisMetrics } from '../../../src/analysis/analysis-metrics.js'
import {
  BackendUnavailableError,
  NoDataError,
  toMetricQuery,
  type MetricQuery,
  type MetricsProvider,
  type Sample,
} from '../../../src/analysis/metrics-provider.js'
import { CheckRunner } from '../../../src/analysis/run-checks.js'
import { canaryWith, template } from '../../helpers/analysis-fixtures.js'
import { freePort } from '../../helpers/prometheus.js'

/** A provider answering by the first matching pattern; records the queries it saw. */
class ScriptedProvider implements MetricsProvider {
  readonly type = 'prometheus'
  readonly seen: string[] = []
  readonly #answers: [RegExp, number | Sample[] | Error][]
  readonly #online: Error | undefined
  constructor(answers: [RegExp, number | Sample[] | Error][], online?: Error) {
    this.#answers = answers
    this.#online = online
  }
  #answer(q: MetricQuery | string): number | Sample[] {
    const { promql } = toMetricQuery(q)
    this.seen.push(promql)
    const hit = this.#answers.find(([re]) => re.test(promql))
    if (hit === undefined) throw new NoDataError(promql)
    if (hit[1] instanceof Error) throw hit[1]
    return hit[1]
  }
  query(q: MetricQuery | string): Promise<number> {
    const a = this.#answer(q)
    return typeof a === 'number' ? Promise.resolve(a) : Promise.reject(new Error('vector'))
  }
  queryVector(q: MetricQuery | string): Promise<Sample[]> {
    const a = this.#answer(q)
    return Promise.resolve(typeof a === 'number' ? [{ labels: {}, value: a }] : a)
  }
  assertOnline(): Promise<void> {
    return this.#online === undefined ? Promise.resolve() : Promise.reject(this.#online)
  }
}

const agent = new Agent({ keepAliveTimeout: 10 })
after(() => agent.close())
const signal = (): AbortSignal => AbortSignal.timeout(10_000)
const NOW = Date.parse('2026-01-01T00:00:00Z')

function runnerWith(
  provider: MetricsProvider | undefined,
  templates: MetricTemplate[] = [],
  registry?: Registry,
) {
  return new CheckRunner({
    ...(provider !== undefined ? { defaultProvider: provider } : {}),
    providers: {
      dispatcher: () => agent,
      ...(provider !== undefined ? { inProcess: provider } : {}),
    },
    templates: {
      get: (_ns, name) => Promise.resolve(templates.find((t) => t.metadata.name === name)),
    },
    ...(registry !== undefined ? { metrics: createAnalysisMetrics(registry) } : {}),
  })
}

describe("running a Canary's checks", () => {
  it('returns one measurement per metric, with value, rendered query, weight and time', async () => {
    const p = new ScriptedProvider([
      [/classification!="failure"/, 99.5],
      [/histogram_quantile/, 120],
    ])
    const canary = canaryWith([
      { name: 'request-success-rate', thresholdRange: { min: 99 } },
      { name: 'request-duration', threshold: 100 },
    ])
    const ms = await runnerWith(p).run(canary, { weight: 200, now: NOW }, signal())
    assert.deepEqual(ms[0], {
      metric: 'request-success-rate',
      outcome: 'Successful',
      value: 99.5,
      query: p.seen.find((q) => q.includes('classification')),
      message: 'request-success-rate 99.5 within min 99',
      weight: 200,
      at: '2026-01-01T00:00:00.000Z',
    })
    assert.equal(ms[1]?.outcome, 'Failed')
    assert.equal(ms[1].message, 'request-duration 120 > max 100')
  })

  it('makes no data Inconclusive and a backend failure Error, never a pass', async () => {
    const p = new ScriptedProvider([
      [
        /histogram_quantile/,
        new BackendUnavailableError('prometheus http://p:9090 timed out after 5000ms'),
      ],
    ])
    const canary = canaryWith([
      { name: 'request-success-rate', thresholdRange: { min: 99 } },
      { name: 'request-duration', thresholdRange: { max: 500 } },
    ])
    const [sr, d] = await runnerWith(p).run(canary, { weight: 100, now: NOW }, signal())
    assert.equal(sr?.outcome, 'Inconclusive')
    assert.ok(sr.query !== undefined && sr.message?.includes(sr.query), sr.message)
    assert.equal(d?.outcome, 'Error')
    assert.equal(d.message, 'request-duration: prometheus http://p:9090 timed out after 5000ms')
  })

  it('renders MetricTemplates, and names what is missing', async () => {
    const p = new ScriptedProvider([[/./, 3]])
    const templates = [
      {
        ...template(
          'errors',
          'sum(rate(http_errors{ns="{{ namespace }}", app="{{ target }}", code=~"{{ variables.codes }}"}[{{ interval }}]))',
          'http://unused',
        ),
        spec: { provider: { type: 'in-process' as const }, query: 'q{app="{{ target }}"}' },
      },
      template('needs-var', 'x{a="{{ variables.zone }}"}', 'http://unused'),
    ]
    const canary = canaryWith([
      { name: 'errors', templateRef: { name: 'errors' }, thresholdRange: { max: 5 } },
      { name: 'missing', templateRef: { name: 'nope' } },
      { name: 'var', templateRef: { name: 'needs-var' } },
      { name: 'inline', query: 'sum(up{job="{{ target }}"})', threshold: 1 },
    ])
    const ms = await runnerWith(p, templates).run(canary, { weight: 100, now: NOW }, signal())
    assert.deepEqual(
      ms.map((m) => [m.metric, m.outcome]),
      [
        ['errors', 'Successful'],
        ['missing', 'Error'],
        ['var', 'Error'],
        ['inline', 'Failed'],
      ],
    )
    assert.equal(ms[0]?.query, 'q{app="podinfo"}')
    assert.equal(ms[1]?.message, 'missing: MetricTemplate default/nope not found')
    assert.equal(
      ms[2]?.message,
      'var: MetricTemplate default/needs-var: variable "variables.zone" is not defined',
    )
    assert.equal(ms[3]?.query, 'sum(up{job="podinfo"})')
  })

  it('says why a check cannot run: unknown mesh, no provider, compare on a custom metric', async () => {
    const istio = canaryWith([{ name: 'request-success-rate' }])
    istio.spec.provider = 'istio'
    const [m] = await runnerWith(new ScriptedProvider([])).run(
      istio,
      { weight: 0, now: NOW },
      signal(),
    )
    assert.equal(m?.outcome, 'Error')
    assert.match(
      m.message ?? '',
      /no builtin request-success-rate check for provider istio.*use a MetricTemplate/,
    )
    const [n] = await runnerWith(undefined).run(
      canaryWith([{ name: 'request-duration' }]),
      { weight: 0, now: NOW },
      signal(),
    )
    assert.match(n?.message ?? '', /no metrics provider for builtin checks: set spec.metricsServer/)
    const [c] = await runnerWith(new ScriptedProvider([]), [
      template('t', 'x', 'http://unused'),
    ]).run(
      canaryWith([{ name: 'custom', templateRef: { name: 't' }, compare: {} }]),
      { weight: 0, now: NOW },
      signal(),
    )
    assert.match(c?.message ?? '', /compare works on the builtin metrics/)
  })

  it('uses spec.metricsServer for builtin checks when set', async () => {
    const port = await freePort()
    const canary = canaryWith([{ name: 'request-success-rate' }])
    canary.spec.metricsServer = `http://127.0.0.1:${port}`
    const [m] = await runnerWith(new ScriptedProvider([[/./, 100]])).run(
      canary,
      { weight: 0, now: NOW },
      signal(),
    )
    assert.equal(m?.outcome, 'Error')
    assert.match(m.message ?? '', new RegExp(`prometheus http://127.0.0.1:${port} unreachable`))
  })

  it('compares with the primary, and also applies bounds when given', async () => {
    const p = new ScriptedProvider([
      [/dst_deployment=~"podinfo-primary", direction="outbound", classification="failure"/, 10],
      [/dst_deployment=~"podinfo-primary", direction="outbound"\}/, 1000],
      [/dst_deployment=~"podinfo", direction="outbound", classification="failure"/, 30],
      [/dst_deployment=~"podinfo", direction="outbound"\}/, 1000],
    ])
    const canary = canaryWith([
      { name: 'request-success-rate', compare: { tolerance: 5 } },
      { name: 'request-success-rate', compare: { tolerance: 5 }, thresholdRange: { min: 99 } },
    ])
    const [loose, bounded] = await runnerWith(p).run(canary, { weight: 100, now: NOW }, signal())
    assert.equal(loose?.outcome, 'Successful', loose?.message)
    assert.equal(loose.value, 97)
    assert.equal(bounded?.outcome, 'Failed')
    assert.match(
      bounded.message ?? '',
      /^request-success-rate 97 < min 99; vs primary: canary success rate 97%/,
    )
  })

  it('records each result as a controller metric', async () => {
    const registry = new Registry()
    const p = new ScriptedProvider([[/classification/, 98]])
    const canary = canaryWith([{ name: 'request-success-rate', thresholdRange: { min: 99 } }], {
      namespace: 'shop',
    })
    const r = runnerWith(p, [], registry)
    await r.run(canary, { weight: 100, now: NOW }, signal())
    await r.run(canary, { weight: 100, now: NOW }, signal())
    const text = await registry.metrics()
    assert.match(
      text,
      /fledge_canary_metric_analysis\{namespace="shop",name="podinfo",metric="request-success-rate"\} 98/,
    )
    assert.match(
      text,
      /fledge_canary_metric_checks_total\{namespace="shop",name="podinfo",metric="request-success-rate",outcome="Failed"\} 2/,
    )
  })

  it('checks every provider a Canary uses is online, naming the metric', async () => {
    const down = new ScriptedProvider(
      [],
      new BackendUnavailableError('prometheus http://p unreachable (ECONNREFUSED)'),
    )
    const canary = canaryWith([{ name: 'request-success-rate' }])
    await assert.rejects(
      runnerWith(down).assertOnline(canary, signal()),
      /metrics provider for metric request-success-rate \(prometheus\) is not available: prometheus http:\/\/p unreachable/,
    )
    await runnerWith(new ScriptedProvider([])).assertOnline(canary, signal())
  })

  it("reads Flagger's deprecated canaryAnalysis too", async () => {
    const canary = canaryWith([])
    canary.spec.canaryAnalysis = {
      stepWeight: 10,
      metrics: [{ name: 'request-success-rate', threshold: 99 }],
    }
    delete canary.spec.analysis
    const ms = await runnerWith(new ScriptedProvider([[/./, 100]])).run(
      canary,
      { weight: 0, now: NOW },
      signal(),
    )
    assert.equal(ms.length, 1)
    assert.equal(ms[0]?.outcome, 'Successful')
  })
})
