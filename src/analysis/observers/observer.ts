import { parseDuration } from '../../util/duration.js'
import { collapseWhitespace, type MetricQuery } from '../metrics-provider.js'
import type { LabelMatcher, QueryModel } from '../query-model.js'
import { renderModel } from '../query-model.js'
import { renderTemplate, type TemplateModel } from '../render.js'

/** Meshes whose builtin checks fledge knows. */
export const MESHES = ['fledge', 'linkerd'] as const
export type Mesh = (typeof MESHES)[number]

/** Builtin checks for one mesh: the queries behind request-success-rate and request-duration. */
export interface Observer {
  readonly mesh: Mesh
  /** Percentage of non-failure responses over the interval (0-100). */
  successRate(m: TemplateModel): MetricQuery
  /** 99th percentile of response latency over the interval, in milliseconds. */
  requestDuration(m: TemplateModel): MetricQuery
  /** Responses over the interval (the comparison's sample size). */
  requests(m: TemplateModel): MetricQuery
  /** Failed responses over the interval. */
  failures(m: TemplateModel): MetricQuery
  /** Latency histogram over the interval, one sample per `le`. */
  latencyBuckets(m: TemplateModel): MetricQuery
}

/** How a mesh's metrics select one workload's responses. */
export interface ObserverSpec {
  readonly mesh: Mesh
  /** PromQL templates of the two builtin checks (Flagger's template syntax). */
  readonly successRateTemplate: string
  readonly requestDurationTemplate: string
  /** The same selection as label matchers, for typed queries; without `classification`. */
  selector(m: TemplateModel): LabelMatcher[]
}

export const RESPONSE_TOTAL = 'response_total'
export const RESPONSE_LATENCY = 'response_latency_ms'
const NOT_FAILURE: LabelMatcher = { name: 'classification', op: '!=', value: 'failure' }
const FAILURE: LabelMatcher = { name: 'classification', op: '=', value: 'failure' }

/** Builds an Observer whose PromQL comes from its templates and whose models match them. */
export function createObserver(spec: ObserverSpec): Observer {
  const where = `builtin ${spec.mesh} query`
  const typed = (model: QueryModel): MetricQuery => ({
    promql: renderModel(model),
    model,
  })
  return {
    mesh: spec.mesh,
    successRate(m) {
      const sel = spec.selector(m)
      return {
        promql: collapseWhitespace(renderTemplate(spec.successRateTemplate, m, where)),
        model: {
          kind: 'ratio',
          metric: RESPONSE_TOTAL,
          numerator: [...sel, NOT_FAILURE],
          denominator: sel,
          windowMs: parseDuration(m.interval),
          scale: 100,
        },
      }
    },
    requestDuration(m) {
      return {
        promql: collapseWhitespace(renderTemplate(spec.requestDurationTemplate, m, where)),
        model: {
          kind: 'quantile',
          q: 0.99,
          metric: RESPONSE_LATENCY,
          selector: spec.selector(m),
          windowMs: parseDuration(m.interval),
        },
      }
    },
    requests: (m) =>
      typed({
        kind: 'increase',
        metric: RESPONSE_TOTAL,
        selector: spec.selector(m),
        windowMs: parseDuration(m.interval),
      }),
    failures: (m) =>
      typed({
        kind: 'increase',
        metric: RESPONSE_TOTAL,
        selector: [...spec.selector(m), FAILURE],
        windowMs: parseDuration(m.interval),
      }),
    latencyBuckets: (m) =>
      typed({
        kind: 'buckets',
        metric: RESPONSE_LATENCY,
        selector: spec.selector(m),
        windowMs: parseDuration(m.interval),
      }),
  }
}
