import type { Registry } from 'prom-client'
import { errorMessage } from '../../util/errors.js'
import {
  BackendUnavailableError,
  MultipleSeriesError,
  NoDataError,
  QueryRejectedError,
  toMetricQuery,
  type MetricQuery,
  type MetricsProvider,
  type Sample,
} from '../metrics-provider.js'
import { RESPONSE_LATENCY, RESPONSE_TOTAL } from '../observers/observer.js'
import { evaluateModel, snapshotOf, type RegistryJson, type Snapshot } from '../snapshot.js'

export interface InProcessOptions {
  /** The embedded proxy's registry (never the default global one). */
  readonly registry: Pick<Registry, 'getMetricsAsJSON'>
  /** Milliseconds since the epoch; injected for tests. */
  readonly now?: () => number
  /** How often to snapshot the registry; default 1 s (a Prometheus scraping at 1 s). */
  readonly sampleEveryMs?: number
  /** How much history to keep; default 10 min, longer than any sensible analysis window. */
  readonly retainMs?: number
  /**
   * Metric families to keep in snapshots; default the ones the builtin checks and comparisons
   * read (`response_total`, `response_latency_ms`).
   */
  readonly metrics?: readonly string[]
}

/**
 * Metrics for local mode without a Prometheus: snapshots the embedded proxy's registry on a
 * timer into a ring of snapshots and answers the typed queries of the builtin checks and the
 * comparison from deltas between the snapshot one window ago and one taken at query time.
 * It does not run PromQL: a MetricTemplate query (text without a model) is rejected.
 */
export class InProcessMetricsProvider implements MetricsProvider {
  readonly type = 'in-process'
  readonly #registry: Pick<Registry, 'getMetricsAsJSON'>
  readonly #now: () => number
  readonly #everyMs: number
  readonly #retainMs: number
  readonly #names: ReadonlySet<string>
  readonly #ring: Snapshot[] = []
  #timer: NodeJS.Timeout | undefined
  #lastError: unknown

  constructor(options: InProcessOptions) {
    this.#registry = options.registry
    this.#now = options.now ?? Date.now
    this.#everyMs = options.sampleEveryMs ?? 1000
    this.#retainMs = options.retainMs ?? 10 * 60_000
    this.#names = new Set(options.metrics ?? [RESPONSE_TOTAL, RESPONSE_LATENCY])
  }

  /** Takes a first snapshot (the baseline of the first window) and starts sampling. */
  async start(): Promise<void> {
    await this.sample()
    if (this.#timer !== undefined) return
    this.#timer = setInterval(() => {
      this.sample().catch((err: unknown) => {
        this.#lastError = err
      })
    }, this.#everyMs)
    this.#timer.unref()
  }

  close(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  /** Takes one snapshot now (the timer calls this; tests may too). */
  async sample(): Promise<void> {
    const snap = await this.#snapshot()
    this.#ring.push(snap)
    const horizon = snap.at - this.#retainMs
    // Keep one snapshot older than the horizon: it is the baseline of the longest window.
    while (this.#ring.length > 2 && (this.#ring[1]?.at ?? Number.POSITIVE_INFINITY) <= horizon) {
      this.#ring.shift()
    }
    this.#lastError = undefined
  }

  async query(query: MetricQuery | string, signal: AbortSignal): Promise<number> {
    const q = toMetricQuery(query)
    const samples = await this.queryVector(q, signal)
    if (samples.length === 0) throw new NoDataError(q.promql)
    if (samples.length > 1) throw new MultipleSeriesError(q.promql, samples.length)
    const value = samples[0]?.value ?? Number.NaN
    if (Number.isNaN(value)) throw new NoDataError(q.promql, 'NaN (no requests in the window?)')
    return value
  }

  async queryVector(query: MetricQuery | string, signal: AbortSignal): Promise<Sample[]> {
    const q = toMetricQuery(query)
    if (q.model === undefined) {
      throw new QueryRejectedError(
        q.promql,
        'the in-process provider answers only the builtin checks and comparisons, not PromQL; use a prometheus provider for MetricTemplates',
      )
    }
    signal.throwIfAborted()
    const end = await this.#snapshot()
    return evaluateModel(q.model, this.#baseline(end.at - q.model.windowMs) ?? end, end)
  }

  async assertOnline(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted()
    await this.#snapshot()
    if (this.#lastError !== undefined) {
      throw new BackendUnavailableError(
        `in-process metrics: sampling failed: ${errorMessage(this.#lastError)}`,
      )
    }
  }

  /** The newest snapshot taken at or before `at`, else the oldest one (a partial window). */
  #baseline(at: number): Snapshot | undefined {
    let found: Snapshot | undefined
    for (const s of this.#ring) {
      if (s.at <= at) found = s
      else break
    }
    return found ?? this.#ring[0]
  }

  async #snapshot(): Promise<Snapshot> {
    let json: RegistryJson[]
    try {
      json = (await this.#registry.getMetricsAsJSON()).map((m) => ({
        name: m.name,
        type: String(m.type),
        values: m.values,
      }))
    } catch (err) {
      throw new BackendUnavailableError(
        `in-process metrics: cannot read the registry: ${errorMessage(err)}`,
        {
          cause: err,
        },
      )
    }
    return snapshotOf(this.#now(), json, this.#names)
  }
}
