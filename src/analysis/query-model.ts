import { formatDuration } from '../util/duration.js'

/** A Prometheus label matcher: `name="v"`, `name!="v"`, `name=~"re"`, `name!~"re"`. */
export interface LabelMatcher {
  readonly name: string
  readonly op: '=' | '!=' | '=~' | '!~'
  readonly value: string
}

/**
 * The typed queries behind the builtin checks and the comparison. Prometheus runs their PromQL;
 * the in-process provider computes them from counter and histogram deltas.
 */
export type QueryModel =
  /** `sum(rate(metric{numerator}[w])) / sum(rate(metric{denominator}[w])) * scale` */
  | {
      readonly kind: 'ratio'
      readonly metric: string
      readonly numerator: readonly LabelMatcher[]
      readonly denominator: readonly LabelMatcher[]
      readonly windowMs: number
      readonly scale: number
    }
  /** `histogram_quantile(q, sum(rate(metric_bucket{selector}[w])) by (le))` */
  | {
      readonly kind: 'quantile'
      readonly q: number
      readonly metric: string
      readonly selector: readonly LabelMatcher[]
      readonly windowMs: number
    }
  /** `sum(increase(metric{selector}[w]))` */
  | {
      readonly kind: 'increase'
      readonly metric: string
      readonly selector: readonly LabelMatcher[]
      readonly windowMs: number
    }
  /** `sum(increase(metric_bucket{selector}[w])) by (le)`: one sample per bucket. */
  | {
      readonly kind: 'buckets'
      readonly metric: string
      readonly selector: readonly LabelMatcher[]
      readonly windowMs: number
    }

export function formatSelector(matchers: readonly LabelMatcher[]): string {
  return `{${matchers.map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`).join(', ')}}`
}

/** The PromQL a model stands for (one line). */
export function renderModel(model: QueryModel): string {
  const w = formatDuration(model.windowMs)
  switch (model.kind) {
    case 'ratio':
      return (
        `sum(rate(${model.metric}${formatSelector(model.numerator)}[${w}])) / ` +
        `sum(rate(${model.metric}${formatSelector(model.denominator)}[${w}])) * ${model.scale}`
      )
    case 'quantile':
      return `histogram_quantile(${model.q}, sum(rate(${model.metric}_bucket${formatSelector(model.selector)}[${w}])) by (le))`
    case 'increase':
      return `sum(increase(${model.metric}${formatSelector(model.selector)}[${w}]))`
    case 'buckets':
      return `sum(increase(${model.metric}_bucket${formatSelector(model.selector)}[${w}])) by (le)`
  }
}

/** Does a label set satisfy every matcher? Regexes are fully anchored, as in Prometheus. */
export function matches(
  labels: Readonly<Record<string, string | number | undefined>>,
  matchers: readonly LabelMatcher[],
): boolean {
  return matchers.every((m) => {
    const raw = labels[m.name]
    const v = raw === undefined ? '' : String(raw)
    switch (m.op) {
      case '=':
        return v === m.value
      case '!=':
        return v !== m.value
      case '=~':
        return anchored(m.value).test(v)
      case '!~':
        return !anchored(m.value).test(v)
    }
  })
}

const regexCache = new Map<string, RegExp>()
function anchored(re: string): RegExp {
  let compiled = regexCache.get(re)
  if (compiled === undefined) {
    compiled = new RegExp(`^(?:${re})$`)
    if (regexCache.size > 1000) regexCache.clear()
    regexCache.set(re, compiled)
  }
  return compiled
}
