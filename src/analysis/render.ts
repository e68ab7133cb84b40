import type { Canary } from '../api/canary.js'
import type { Metric } from '../api/canary-spec.js'
import { serviceName } from '../api/canary.js'
import { ErrorCodes, FledgeError } from '../util/errors.js'
import { MissingVariableError } from './metrics-provider.js'

/** What a query template can name: Flagger's metric template model. */
export interface TemplateModel {
  /** The Canary's name. */
  readonly name: string
  readonly namespace: string
  /** `targetRef.name`: the canary workload (`<target>-primary` is the primary). */
  readonly target: string
  /** `service.name`, or the target. */
  readonly service: string
  /** `ingressRef.name`, or the target. */
  readonly ingress: string
  /** `routeRef.name`, or the target. */
  readonly route: string
  /** The metric's `interval`, or `1m`. */
  readonly interval: string
  /** `templateVariables`. */
  readonly variables: Readonly<Record<string, string>>
}

export const DEFAULT_METRIC_INTERVAL = '1m'

/** The model for one metric of a Canary; `target` may be overridden (the comparison's primary). */
export function templateModel(canary: Canary, metric: Metric, target?: string): TemplateModel {
  const spec = canary.spec
  const t = target ?? spec.targetRef.name
  return {
    name: canary.metadata.name,
    namespace: canary.metadata.namespace ?? 'default',
    target: t,
    service: serviceName(spec),
    ingress: refName(spec.ingressRef) ?? t,
    route: refName(spec.routeRef) ?? t,
    interval: metric.interval ?? DEFAULT_METRIC_INTERVAL,
    variables: metric.templateVariables ?? {},
  }
}

const FIELDS = ['name', 'namespace', 'target', 'service', 'ingress', 'route', 'interval'] as const
type Field = (typeof FIELDS)[number]
const ACTION = /\{\{-?\s*(.*?)\s*-?\}\}/g

/**
 * Renders `{{ namespace }}`, `{{ target }}`, `{{ variables.key }}`, ... in a query template.
 * Flagger's Go-template spelling with a leading dot (`{{ .namespace }}`) is accepted too.
 * A variable that is not defined is an error naming it, never an empty string in the query;
 * so is any other template action, which fledge does not evaluate.
 * @param where names the template in error messages (`MetricTemplate default/latency`).
 */
export function renderTemplate(template: string, model: TemplateModel, where: string): string {
  return template.replace(ACTION, (_whole, expr: string) => {
    const e = expr.startsWith('.') ? expr.slice(1) : expr
    if ((FIELDS as readonly string[]).includes(e)) return model[e as Field]
    const v = /^variables\.([A-Za-z_][\w-]*)$/.exec(e) ?? /^index \.?variables "([^"]+)"$/.exec(e)
    if (v !== null) {
      const key = v[1] ?? ''
      const value = model.variables[key]
      if (value === undefined) throw new MissingVariableError(`variables.${key}`, where)
      return value
    }
    if (/^[A-Za-z_]\w*$/.test(e)) throw new MissingVariableError(e, where)
    throw new FledgeError(
      ErrorCodes.INVALID_SPEC,
      `${where}: unsupported template action {{ ${expr} }}; use {{ ${FIELDS.join(' }}, {{ ')} }} or {{ variables.NAME }}`,
    )
  })
}

function refName(ref: Record<string, unknown> | undefined): string | undefined {
  const n = ref?.['name']
  return typeof n === 'string' && n !== '' ? n : undefined
}
