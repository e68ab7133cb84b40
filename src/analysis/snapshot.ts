import { histogramQuantile, parseLe, type Bucket } from './histogram.js'
import { matches, type QueryModel } from './query-model.js'
import type { Sample } from './metrics-provider.js'

/** One series' value at one moment. `name` is the sample name (`response_latency_ms_bucket`). */
export interface SeriesValue {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

/** Every counter and histogram series of a registry at one moment. */
export interface Snapshot {
  readonly at: number
  /** Keyed by name and sorted labels. */
  readonly series: ReadonlyMap<string, SeriesValue>
}

export function seriesKey(name: string, labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort()
  return `${name}{${keys.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',')}}`
}

/** What a registry's getMetricsAsJSON() returns, reduced to what snapshots need. */
export interface RegistryJson {
  readonly name: string
  readonly type: string
  readonly values: readonly {
    readonly value: number
    readonly labels: Readonly<Partial<Record<string, string | number>>>
    readonly metricName?: string
  }[]
}

/**
 * Builds a snapshot from a prom-client registry's JSON: counters and histograms only, and only the
 * metric families in `names` when given (the ring then holds what queries read, nothing else).
 */
export function snapshotOf(
  at: number,
  metrics: readonly RegistryJson[],
  names?: ReadonlySet<string>,
): Snapshot {
  const series = new Map<string, SeriesValue>()
  for (const m of metrics) {
    if (m.type !== 'counter' && m.type !== 'histogram') continue
    if (names !== undefined && !names.has(m.name)) continue
    for (const v of m.values) {
      const name = v.metricName ?? m.name
      const labels: Record<string, string> = {}
      for (const [k, val] of Object.entries(v.labels)) {
        if (val !== undefined) labels[k] = String(val)
      }
      series.set(seriesKey(name, labels), { name, labels, value: v.value })
    }
  }
  return { at, series }
}

/**
 * Increase of every series named `name` between two snapshots, as Prometheus's increase() means it
 * without extrapolation: a drop is a counter reset (the increase is the new value), and a series
 * born inside the window counts from zero.
 */
export function increases(start: Snapshot, end: Snapshot, name: string): SeriesValue[] {
  const out: SeriesValue[] = []
  for (const [key, s] of end.series) {
    if (s.name !== name) continue
    const before = start.series.get(key)?.value ?? 0
    out.push({ name, labels: s.labels, value: s.value >= before ? s.value - before : s.value })
  }
  return out
}

/**
 * Evaluates a typed query over the window between two snapshots, returning the instant vector a
 * Prometheus would (an empty one when no series matches; NaN where it would give NaN).
 * Ratios of rates equal ratios of increases, and quantiles are scale-free, so no division by time.
 */
export function evaluateModel(model: QueryModel, start: Snapshot, end: Snapshot): Sample[] {
  switch (model.kind) {
    case 'ratio': {
      const all = increases(start, end, model.metric)
      const den = all.filter((s) => matches(s.labels, model.denominator))
      const num = all.filter((s) => matches(s.labels, model.numerator))
      if (den.length === 0 || num.length === 0) return []
      return [{ labels: {}, value: (sum(num) / sum(den)) * model.scale }]
    }
    case 'quantile': {
      const buckets = bucketsOf(start, end, model.metric, model)
      if (buckets.length === 0) return []
      return [{ labels: {}, value: histogramQuantile(model.q, buckets) }]
    }
    case 'increase': {
      const sel = increases(start, end, model.metric).filter((s) =>
        matches(s.labels, model.selector),
      )
      return sel.length === 0 ? [] : [{ labels: {}, value: sum(sel) }]
    }
    case 'buckets':
      return bucketsOf(start, end, model.metric, model).map((b) => ({
        labels: { le: b.le === Number.POSITIVE_INFINITY ? '+Inf' : String(b.le) },
        value: b.count,
      }))
  }
}

function bucketsOf(
  start: Snapshot,
  end: Snapshot,
  metric: string,
  model: { readonly selector: Parameters<typeof matches>[1] },
): Bucket[] {
  const byLe = new Map<number, number>()
  for (const s of increases(start, end, `${metric}_bucket`)) {
    if (!matches(s.labels, model.selector) || s.labels['le'] === undefined) continue
    const le = parseLe(s.labels['le'])
    byLe.set(le, (byLe.get(le) ?? 0) + s.value)
  }
  return [...byLe].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le)
}

function sum(values: readonly SeriesValue[]): number {
  return values.reduce((acc, s) => acc + s.value, 0)
}
