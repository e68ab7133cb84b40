import type { Dispatcher } from 'undici'
import { errorMessage } from '../../util/errors.js'
import {
  BackendUnavailableError,
  collapseWhitespace,
  MultipleSeriesError,
  NoDataError,
  QueryRejectedError,
  toMetricQuery,
  type MetricQuery,
  type MetricsProvider,
  type Sample,
} from '../metrics-provider.js'

/** Credentials for a Prometheus behind authentication. */
export type PrometheusAuth =
  { readonly bearerToken: string } | { readonly username: string; readonly password: string }

export interface PrometheusOptions {
  /** Base URL, e.g. `http://prometheus.linkerd-viz:9090` (a path prefix is kept). */
  readonly address: string
  /** Carries the requests; its TLS options (insecureSkipVerify) are the caller's. */
  readonly dispatcher: Dispatcher
  /** Per-query timeout; default 5 s, as Flagger. */
  readonly timeoutMs?: number
  readonly headers?: Readonly<Record<string, string>>
  readonly auth?: PrometheusAuth
}

export const DEFAULT_PROMETHEUS_TIMEOUT_MS = 5000

interface ApiResponse {
  status?: string
  error?: string
  errorType?: string
  data?: { resultType?: string; result?: unknown }
}

/** Prometheus's instant query API (`/api/v1/query`), through an injected undici Dispatcher. */
export class PrometheusMetricsProvider implements MetricsProvider {
  readonly type = 'prometheus'
  readonly #url: URL
  readonly #dispatcher: Dispatcher
  readonly #timeoutMs: number
  readonly #headers: Record<string, string>

  constructor(options: PrometheusOptions) {
    // A bad address is a configuration error: thrown at construction, not per query.
    this.#url = new URL(options.address.endsWith('/') ? options.address : `${options.address}/`)
    if (this.#url.protocol !== 'http:' && this.#url.protocol !== 'https:') {
      throw new TypeError(`prometheus address must be http(s): ${options.address}`)
    }
    this.#dispatcher = options.dispatcher
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_PROMETHEUS_TIMEOUT_MS
    this.#headers = { accept: 'application/json', ...options.headers }
    const auth = options.auth
    if (auth !== undefined) {
      this.#headers['authorization'] =
        'bearerToken' in auth
          ? `Bearer ${auth.bearerToken}`
          : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`
    }
  }

  /** The address queries go to, for messages. */
  get address(): string {
    return this.#url.href.replace(/\/$/, '')
  }

  async query(query: MetricQuery | string, signal: AbortSignal): Promise<number> {
    const promql = collapseWhitespace(toMetricQuery(query).promql)
    const data = await this.#run(promql, signal)
    if (data.resultType === 'scalar') return scalarValue(data.result, promql)
    const samples = vectorSamples(data, promql)
    if (samples.length === 0) throw new NoDataError(promql)
    if (samples.length > 1) throw new MultipleSeriesError(promql, samples.length)
    const value = samples[0]?.value ?? Number.NaN
    if (Number.isNaN(value)) throw new NoDataError(promql, 'NaN (no requests in the window?)')
    return value
  }

  async queryVector(query: MetricQuery | string, signal: AbortSignal): Promise<Sample[]> {
    const promql = collapseWhitespace(toMetricQuery(query).promql)
    const data = await this.#run(promql, signal)
    if (data.resultType === 'scalar') {
      return [{ labels: {}, value: scalarValue(data.result, promql) }]
    }
    return vectorSamples(data, promql)
  }

  async assertOnline(signal: AbortSignal): Promise<void> {
    const value = await this.query('vector(1)', signal)
    if (value !== 1) {
      throw new BackendUnavailableError(
        `prometheus ${this.address} answered vector(1) with ${value}`,
      )
    }
  }

  async #run(
    promql: string,
    signal: AbortSignal,
  ): Promise<{ resultType?: string; result?: unknown }> {
    const url = new URL('api/v1/query', this.#url)
    url.searchParams.set('query', promql)
    const timeout = AbortSignal.timeout(this.#timeoutMs)
    const both = AbortSignal.any([signal, timeout])
    let status: number
    let text: string
    try {
      const res = await this.#dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        headers: this.#headers,
        signal: both,
      })
      status = res.statusCode
      text = await res.body.text()
    } catch (err) {
      if (signal.aborted) throw err
      const why = timeout.aborted
        ? `timed out after ${this.#timeoutMs}ms`
        : `unreachable (${describeNetworkError(err)})`
      throw new BackendUnavailableError(`prometheus ${this.address} ${why}`, { cause: err })
    }
    const body = parseBody(text)
    if (status >= 200 && status < 300 && body?.status === 'success' && body.data !== undefined) {
      return body.data
    }
    const reason = body?.error ?? text.slice(0, 200).trim()
    if (status === 400 || status === 422) throw new QueryRejectedError(promql, reason)
    throw new BackendUnavailableError(
      `prometheus ${this.address} answered HTTP ${status}${reason === '' ? '' : `: ${reason}`}`,
    )
  }
}

function parseBody(text: string): ApiResponse | undefined {
  try {
    const v: unknown = JSON.parse(text)
    return typeof v === 'object' && v !== null ? v : undefined
  } catch {
    return undefined
  }
}

/** Prometheus writes sample values as strings, including `NaN`, `+Inf` and `-Inf`. */
export function parseSampleValue(text: unknown): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY
  if (text === '-Inf') return Number.NEGATIVE_INFINITY
  if (typeof text !== 'string') return Number.NaN
  return Number(text)
}

function scalarValue(result: unknown, promql: string): number {
  const value = Array.isArray(result) ? parseSampleValue(result[1]) : Number.NaN
  if (Number.isNaN(value)) throw new NoDataError(promql, 'NaN')
  return value
}

function vectorSamples(data: { resultType?: string; result?: unknown }, promql: string): Sample[] {
  if (data.resultType !== 'vector' || !Array.isArray(data.result)) {
    throw new QueryRejectedError(
      promql,
      `expected an instant vector or scalar, got ${data.resultType ?? 'nothing'} (a range selector needs rate() or similar)`,
    )
  }
  const result: unknown[] = data.result
  return result.map((raw) => {
    const s = raw as { metric?: Record<string, string>; value?: unknown[] }
    return { labels: s.metric ?? {}, value: parseSampleValue(s.value?.[1]) }
  })
}

function describeNetworkError(err: unknown): string {
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' ? `${code}: ${errorMessage(err)}` : errorMessage(err)
}
