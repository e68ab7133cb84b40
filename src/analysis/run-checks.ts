import type { Canary } from '../api/canary.js'
import { analysisOf } from '../api/canary.js'
import type { Metric } from '../api/canary-spec.js'
import type { Measurement, Outcome } from '../api/canary-status.js'
import type { TemplateSource } from './template-source.js'
import type { AnalysisRunner } from '../controller/ports.js'
import { ErrorCodes, FledgeError, errorMessage } from '../util/errors.js'
import type { AnalysisMetrics } from './analysis-metrics.js'
import { compareMetric } from './compare.js'
import type { Verdict } from './statistics.js'
import { boundsOf, describeBounds, evaluate, isBuiltin } from './evaluate.js'
import { collapseWhitespace, type MetricQuery, type MetricsProvider } from './metrics-provider.js'
import { meshFor, observerFor } from './observers/factory.js'
import type { Mesh, Observer } from './observers/observer.js'
import { PrometheusMetricsProvider } from './providers/prometheus.js'
import { createMetricsProvider, type ProviderFactoryDeps } from './providers/factory.js'
import {
  DEFAULT_METRIC_INTERVAL,
  renderTemplate,
  templateModel,
  type TemplateModel,
} from './render.js'
import { formatDuration, parseDuration } from '../util/duration.js'

export type { TemplateSource } from './template-source.js'

export interface CheckRunnerDeps {
  /** Runs builtin checks and inline queries when the Canary sets no `metricsServer`. */
  readonly defaultProvider?: MetricsProvider
  /** Builds the providers MetricTemplates (and `metricsServer`) name. */
  readonly providers: ProviderFactoryDeps
  readonly templates: TemplateSource
  /** The mesh for providers that do not imply one (gatewayapi, kubernetes); default fledge. */
  readonly mesh?: Mesh
  /** Optional controller metrics. */
  readonly metrics?: AnalysisMetrics
}

/** One check's result plus what `fledge analyze` shows. */
export interface CheckResult {
  readonly measurement: Measurement
  /** The bounds or comparison the value was judged against. */
  readonly threshold: string
}

/** The AnalysisRunner: runs every metric of a Canary once; backend errors become outcomes. */
export class CheckRunner implements AnalysisRunner {
  readonly #deps: CheckRunnerDeps

  constructor(deps: CheckRunnerDeps) {
    this.#deps = deps
  }

  async run(
    canary: Canary,
    context: { readonly weight: number; readonly now: number },
    signal: AbortSignal,
  ): Promise<Measurement[]> {
    return (await this.runDetailed(canary, context, signal)).map((r) => r.measurement)
  }

  /** `run`, with the threshold each value was judged against (for the CLI's table). */
  async runDetailed(
    canary: Canary,
    context: { readonly weight?: number; readonly now: number },
    signal: AbortSignal,
  ): Promise<CheckResult[]> {
    const metrics = analysisOf(canary.spec)?.metrics ?? []
    const at = new Date(context.now).toISOString()
    const started = canary.status?.rolloutStartedAt
    const age = started === undefined ? undefined : context.now - Date.parse(started)
    return Promise.all(
      metrics.map(async (metric) => {
        const r = await this.#check(canary, windowSince(metric, age), signal)
        const measurement: Measurement = {
          metric: metric.name,
          outcome: r.outcome,
          ...(r.value !== undefined ? { value: r.value } : {}),
          ...(r.query !== undefined ? { query: r.query } : {}),
          message: r.message,
          ...(context.weight !== undefined ? { weight: context.weight } : {}),
          at,
        }
        this.#deps.metrics?.record(canary, measurement)
        return { measurement, threshold: r.threshold }
      }),
    )
  }

  async assertOnline(canary: Canary, signal: AbortSignal): Promise<void> {
    const seen = new Set<MetricsProvider>()
    for (const metric of analysisOf(canary.spec)?.metrics ?? []) {
      const { provider } = await this.#providerFor(canary, metric, signal)
      if (seen.has(provider)) continue
      seen.add(provider)
      try {
        await provider.assertOnline(signal)
      } catch (err) {
        throw new FledgeError(
          ErrorCodes.BACKEND_UNAVAILABLE,
          `metrics provider for metric ${metric.name} (${describeProvider(provider)}) is not available: ${errorMessage(err)}`,
          { cause: err },
        )
      }
    }
  }

  async #check(
    canary: Canary,
    metric: Metric,
    signal: AbortSignal,
  ): Promise<Judged & { readonly threshold: string }> {
    const bounds = describeBounds(boundsOf(metric))
    const threshold =
      metric.compare === undefined
        ? bounds
        : bounds === 'none'
          ? 'vs primary'
          : `${bounds}; vs primary`
    let query: string | undefined
    try {
      const { provider, observer, template } = await this.#providerFor(canary, metric, signal)
      const model = templateModel(canary, metric)
      if (metric.compare !== undefined) {
        if (observer === undefined) {
          throw new FledgeError(
            ErrorCodes.INVALID_SPEC,
            `compare works on the builtin metrics (request-success-rate, request-duration), not on ${metric.name}`,
          )
        }
        const primary = templateModel(canary, metric, `${canary.spec.targetRef.name}-primary`)
        const verdict = await compareMetric(metric, observer, provider, model, primary, signal)
        return { ...withThreshold(metric, verdict), threshold }
      }
      const q = queryFor(metric, model, observer, template)
      query = q.promql
      const value = await provider.query(q, signal)
      const judged = evaluate(metric, value)
      return { ...judged, value, query, threshold }
    } catch (err) {
      return { ...failureOutcome(metric, err, query), threshold }
    }
  }

  async #providerFor(
    canary: Canary,
    metric: Metric,
    signal: AbortSignal,
  ): Promise<{
    provider: MetricsProvider
    observer?: Observer
    template?: { query: string; where: string }
  }> {
    const namespace = canary.metadata.namespace ?? 'default'
    if (metric.templateRef !== undefined) {
      const ns = metric.templateRef.namespace ?? namespace
      const t = await this.#deps.templates.get(ns, metric.templateRef.name, signal)
      if (t === undefined) {
        throw new FledgeError(
          ErrorCodes.NOT_FOUND,
          `MetricTemplate ${ns}/${metric.templateRef.name} not found`,
        )
      }
      const provider = await createMetricsProvider(
        t.spec.provider,
        ns,
        this.#deps.providers,
        signal,
      )
      return {
        provider,
        template: { query: t.spec.query, where: `MetricTemplate ${ns}/${t.metadata.name}` },
      }
    }
    const provider = this.#builtinProvider(canary)
    if (isBuiltin(metric.name)) {
      const mesh = meshFor(canary.spec.provider, this.#deps.mesh)
      if (mesh === undefined) {
        throw new FledgeError(
          ErrorCodes.INVALID_SPEC,
          `no builtin ${metric.name} check for provider ${canary.spec.provider ?? ''}: fledge knows the fledge and linkerd meshes; use a MetricTemplate`,
        )
      }
      return { provider, observer: observerFor(mesh) }
    }
    if (metric.query === undefined) {
      throw new FledgeError(
        ErrorCodes.INVALID_SPEC,
        `metric ${metric.name} has no templateRef or query`,
      )
    }
    return { provider }
  }

  #builtinProvider(canary: Canary): MetricsProvider {
    const server = canary.spec.metricsServer
    if (server !== undefined && server !== '') {
      return new PrometheusMetricsProvider({
        address: server,
        dispatcher: this.#deps.providers.dispatcher(false),
      })
    }
    if (this.#deps.defaultProvider === undefined) {
      throw new FledgeError(
        ErrorCodes.INVALID_SPEC,
        'no metrics provider for builtin checks: set spec.metricsServer, or run with a Prometheus address',
      )
    }
    return this.#deps.defaultProvider
  }
}

/** The builtin query of a mesh, or a MetricTemplate's (or inline) query rendered for the Canary. */
function queryFor(
  metric: Metric,
  model: TemplateModel,
  observer: Observer | undefined,
  template: { query: string; where: string } | undefined,
): MetricQuery {
  if (observer !== undefined) {
    return metric.name === 'request-success-rate'
      ? observer.successRate(model)
      : observer.requestDuration(model)
  }
  const text = template?.query ?? metric.query ?? ''
  const where = template?.where ?? `metric ${metric.name}`
  return { promql: collapseWhitespace(renderTemplate(text, model, where)) }
}

interface Judged {
  readonly outcome: Outcome
  readonly value?: number
  readonly query?: string
  readonly message: string
}

const SEVERITY: Record<Outcome, number> = { Successful: 0, Inconclusive: 1, Error: 2, Failed: 3 }

/**
 * A compared metric that also has bounds is judged on both: the canary's own value against the
 * bounds, and against the primary; the worse outcome wins and the message gives both reasons.
 */
function withThreshold(metric: Metric, verdict: Verdict & { query: string }): Judged {
  const b = boundsOf(metric)
  if ((b.min === undefined && b.max === undefined) || verdict.value === undefined) return verdict
  const own = evaluate(metric, verdict.value)
  const outcome = SEVERITY[own.outcome] > SEVERITY[verdict.outcome] ? own.outcome : verdict.outcome
  return { ...verdict, outcome, message: `${own.message}; vs primary: ${verdict.message}` }
}

/** Turns a thrown error into an outcome: no data is Inconclusive, anything else Error. */
export function failureOutcome(metric: Metric, err: unknown, query: string | undefined): Judged {
  const q = query !== undefined ? { query } : {}
  if (err instanceof FledgeError && err.code === ErrorCodes.NO_DATA) {
    return {
      outcome: 'Inconclusive',
      ...q,
      message: `${metric.name}: ${err.message}; is the target receiving traffic, and does the series exist?`,
    }
  }
  return { outcome: 'Error', ...q, message: `${metric.name}: ${errorMessage(err)}` }
}

function describeProvider(p: MetricsProvider): string {
  return p instanceof PrometheusMetricsProvider ? `prometheus ${p.address}` : p.type
}

/** Shortest analysis window: below it a rate has too few samples to mean anything. */
const MIN_WINDOW_MS = 1_000
/** Kept clear of the rollout's start: metrics are sampled (in process, each second) or scraped. */
const START_MARGIN_MS = 1_000

/**
 * A metric whose window reaches no further back than the current rollout: the target's series
 * carry the previous revision's traffic under the same labels (a rolled-back broken build, say),
 * which must not count against the new one. Flagger's fixed windows have this flaw. A margin of a
 * sampling period keeps the window's first sample after the rollout began.
 */
export function windowSince(metric: Metric, rolloutAgeMs: number | undefined): Metric {
  if (rolloutAgeMs === undefined) return metric
  const windowMs = parseDuration(metric.interval ?? DEFAULT_METRIC_INTERVAL)
  const capped = Math.max(MIN_WINDOW_MS, Math.floor((rolloutAgeMs - START_MARGIN_MS) / 1000) * 1000)
  return capped >= windowMs ? metric : { ...metric, interval: formatDuration(capped) }
}
