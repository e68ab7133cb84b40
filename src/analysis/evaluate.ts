import type { Metric } from '../api/canary-spec.js'

/** The two checks every mesh provides without a template. */
export const BUILTIN_METRICS = ['request-success-rate', 'request-duration'] as const
export type BuiltinMetric = (typeof BUILTIN_METRICS)[number]

export function isBuiltin(name: string): name is BuiltinMetric {
  return (BUILTIN_METRICS as readonly string[]).includes(name)
}

/** The bounds a value must stay within, after the deprecated `threshold` is translated. */
export interface Bounds {
  readonly min?: number
  readonly max?: number
}

/**
 * `thresholdRange` when set; otherwise Flagger's deprecated `threshold`: a minimum for
 * request-success-rate, a maximum (ms) for request-duration and for every other metric.
 */
export function boundsOf(metric: Metric): Bounds {
  const range = metric.thresholdRange
  if (range !== undefined && (range.min !== undefined || range.max !== undefined)) {
    return {
      ...(range.min !== undefined ? { min: range.min } : {}),
      ...(range.max !== undefined ? { max: range.max } : {}),
    }
  }
  if (metric.threshold === undefined) return {}
  return metric.name === 'request-success-rate'
    ? { min: metric.threshold }
    : { max: metric.threshold }
}

/** `min 99`, `max 500`, `min 1, max 5`, or `none`. */
export function describeBounds(b: Bounds): string {
  const parts: string[] = []
  if (b.min !== undefined) parts.push(`min ${b.min}`)
  if (b.max !== undefined) parts.push(`max ${b.max}`)
  return parts.length === 0 ? 'none' : parts.join(', ')
}

export interface Evaluation {
  readonly outcome: 'Successful' | 'Failed' | 'Inconclusive'
  readonly message: string
}

/** Judges one value against a metric's bounds, saying exactly why. Pure. */
export function evaluate(metric: Metric, value: number): Evaluation {
  const b = boundsOf(metric)
  const v = formatValue(value)
  if (Number.isNaN(value)) {
    return { outcome: 'Inconclusive', message: `${metric.name} is NaN: no data to judge` }
  }
  if (b.min !== undefined && value < b.min) {
    return { outcome: 'Failed', message: `${metric.name} ${v} < min ${b.min}` }
  }
  if (b.max !== undefined && value > b.max) {
    return { outcome: 'Failed', message: `${metric.name} ${v} > max ${b.max}` }
  }
  if (b.min === undefined && b.max === undefined) {
    return { outcome: 'Successful', message: `${metric.name} ${v} (no threshold set)` }
  }
  return { outcome: 'Successful', message: `${metric.name} ${v} within ${describeBounds(b)}` }
}

/** Up to 3 decimals, no trailing zeros: 87.5, 99.123, 120. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf'
  return String(Number(value.toFixed(3)))
}
