/**
 * Counters and a histogram for the request hot path, registered in a prom-client Registry as
 * custom metrics. prom-client hashes the label object on every `inc`/`observe`, even through a
 * `labels()` child; here a series is a plain object created once per label set and bumped with a
 * number increment, and the text and JSON forms are built only when scraped (the same shape
 * prom-client gives: `_bucket` with `le`, `_sum`, `_count`).
 */
import type { Metric, Registry } from 'prom-client'

type Labels = Readonly<Record<string, string>>

interface Value {
  readonly value: number
  readonly labels: Labels
  readonly metricName?: string
}

interface MetricData {
  readonly name: string
  readonly help: string
  readonly type: 'counter' | 'gauge' | 'histogram'
  readonly values: Value[]
  readonly aggregator: 'sum'
}

/** One counter or gauge series. */
export interface Series {
  value: number
  readonly labels: Labels
}

/** One histogram series: counts per bucket (not cumulative), sum and count. */
export interface HistogramSeries {
  readonly counts: Float64Array
  sum: number
  count: number
  readonly labels: Labels
}

abstract class Custom {
  readonly name: string
  readonly help: string
  readonly aggregator = 'sum' as const

  constructor(registry: Registry, name: string, help: string) {
    this.name = name
    this.help = help
    // prom-client's Registry reads any object with name, help, type and get(); its typings only
    // name its own classes.
    registry.registerMetric(this as unknown as Metric)
  }

  abstract get(): Promise<MetricData>
}

export class FastCounter extends Custom {
  readonly type: 'counter' | 'gauge'
  readonly #series = new Map<string, Series>()

  constructor(
    registry: Registry,
    name: string,
    help: string,
    type: 'counter' | 'gauge' = 'counter',
  ) {
    super(registry, name, help)
    this.type = type
  }

  /** The series for a label set; call once per label set and keep it. */
  series(labels: Labels): Series {
    const key = seriesKey(labels)
    let s = this.#series.get(key)
    if (s === undefined) {
      s = { value: 0, labels: { ...labels } }
      this.#series.set(key, s)
    }
    return s
  }

  get(): Promise<MetricData> {
    const values = [...this.#series.values()].map((s) => ({ value: s.value, labels: s.labels }))
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: 'sum',
    })
  }
}

export class FastHistogram extends Custom {
  readonly type = 'histogram' as const
  readonly buckets: readonly number[]
  readonly #series = new Map<string, HistogramSeries>()

  constructor(registry: Registry, name: string, help: string, buckets: readonly number[]) {
    super(registry, name, help)
    this.buckets = [...buckets].sort((a, b) => a - b)
  }

  series(labels: Labels): HistogramSeries {
    const key = seriesKey(labels)
    let s = this.#series.get(key)
    if (s === undefined) {
      s = {
        counts: new Float64Array(this.buckets.length + 1),
        sum: 0,
        count: 0,
        labels: { ...labels },
      }
      this.#series.set(key, s)
    }
    return s
  }

  observe(s: HistogramSeries, v: number): void {
    const b = this.buckets
    let i = 0
    while (i < b.length && v > (b[i] ?? Infinity)) i++
    s.counts[i] = (s.counts[i] ?? 0) + 1
    s.sum += v
    s.count++
  }

  get(): Promise<MetricData> {
    const values: Value[] = []
    for (const s of this.#series.values()) {
      let cumulative = 0
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i] ?? 0
        values.push({
          value: cumulative,
          labels: { ...s.labels, le: String(le) },
          metricName: `${this.name}_bucket`,
        })
      })
      values.push({
        value: s.count,
        labels: { ...s.labels, le: '+Inf' },
        metricName: `${this.name}_bucket`,
      })
      values.push({ value: s.sum, labels: s.labels, metricName: `${this.name}_sum` })
      values.push({ value: s.count, labels: s.labels, metricName: `${this.name}_count` })
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: 'sum',
    })
  }
}

function seriesKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k] ?? ''}`)
    .join('\u0001')
}
