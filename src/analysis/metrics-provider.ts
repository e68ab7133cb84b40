import { ErrorCodes, FledgeError } from '../util/errors.js'
import type { QueryModel } from './query-model.js'

/**
 * A query for a metrics backend: PromQL text, and for the builtin checks also the typed model
 * it was rendered from (the in-process provider answers from the model, never from the text).
 */
export interface MetricQuery {
  readonly promql: string
  readonly model?: QueryModel
}

/** One sample of an instant vector. */
export interface Sample {
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

/** A metrics backend (Prometheus, or the embedded proxy's registry read in process). */
export interface MetricsProvider {
  readonly type: 'prometheus' | 'in-process'
  /**
   * Runs a query that must yield exactly one number. A string is PromQL.
   * Rejects with NoDataError, MultipleSeriesError, BackendUnavailableError or QueryRejectedError.
   */
  query(query: MetricQuery | string, signal: AbortSignal): Promise<number>
  /** Runs a query yielding an instant vector (possibly empty); same errors except the first two. */
  queryVector(query: MetricQuery | string, signal: AbortSignal): Promise<Sample[]>
  /** Resolves when the backend answers a trivial query; rejects with BackendUnavailableError. */
  assertOnline(signal: AbortSignal): Promise<void>
}

/** The query returned an empty vector, or NaN (e.g. a ratio of zero rates). */
export class NoDataError extends FledgeError {
  readonly query: string
  constructor(query: string, detail = 'no values found') {
    super(ErrorCodes.NO_DATA, `${detail} for query ${query}`)
    this.query = query
  }
}

/** The query returned several series where one number was expected. */
export class MultipleSeriesError extends FledgeError {
  readonly query: string
  constructor(query: string, count: number) {
    super(
      ErrorCodes.MULTIPLE_SERIES,
      `query returned ${count} series where one was expected (aggregate it, e.g. with sum()): ${query}`,
    )
    this.query = query
  }
}

/** The backend could not be reached, timed out, or failed (5xx). */
export class BackendUnavailableError extends FledgeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorCodes.BACKEND_UNAVAILABLE, message, options)
  }
}

/** The backend refused the query; the message carries the backend's own words. */
export class QueryRejectedError extends FledgeError {
  readonly query: string
  constructor(query: string, reason: string) {
    super(ErrorCodes.QUERY_REJECTED, `query rejected: ${reason}: ${query}`)
    this.query = query
  }
}

/** A query template names a variable that is not defined. */
export class MissingVariableError extends FledgeError {
  readonly variable: string
  constructor(variable: string, where: string) {
    super(ErrorCodes.MISSING_VARIABLE, `${where}: variable "${variable}" is not defined`)
    this.variable = variable
  }
}

/** Normalises the two query forms providers accept. */
export function toMetricQuery(query: MetricQuery | string): MetricQuery {
  return typeof query === 'string' ? { promql: query } : query
}

/** PromQL with runs of whitespace collapsed to one space, as sent and as shown to users. */
export function collapseWhitespace(promql: string): string {
  return promql.replace(/\s+/g, ' ').trim()
}
