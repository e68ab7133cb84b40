/**
 * A lean HTTP/1.1 forwarding engine on raw sockets: the proxy's fast path.
 *
 * The routing layer plugs in through two callbacks and never sees node:http types:
 *
 * - `route(request)` runs once per request head and answers where to send it (a `ForwardTarget`:
 *   an endpoint, a timeout and an outcome callback) or what to answer instead (an `ErrorResponse`,
 *   e.g. 404 for an unknown authority, 503 when no endpoint is available).
 * - `target.onOutcome(outcome)` runs once per attempt when it ends, with the status, latencies,
 *   byte counts and the error kind, so the caller can record metrics, feed its balancer and circuit
 *   breaker, and retry: returning another target from it (when `outcome.retryable`) starts a new
 *   attempt; returning an `ErrorResponse` overrides the default 502/503/504 answer.
 * - `target.onResponseHead(status, attempt)` optionally runs when a response head arrives, before
 *   anything is written to the client; returning a target retries a replayable request (e.g. on 503).
 *
 * Bodies stream through in both directions without being buffered whole; Content-Length and chunked
 * framing are validated, hop-by-hop headers stripped, `x-forwarded-for` appended, and upstream
 * connections are kept alive in a pool per endpoint.
 */
import type { UpstreamErrorKind } from './errors.js'
import type { ErrorResponse } from './error-response.js'
import type { Endpoint } from './pool.js'
import type { RequestHead } from './request-head.js'

/** Where to forward one request, and how to hear back. */
export interface ForwardTarget {
  /** The upstream endpoint (host and port). Reuse the same object across requests. */
  readonly endpoint: Endpoint
  /** Time allowed until the response head arrives, and between body chunks after it (ms). */
  readonly timeoutMs?: number
  /**
   * Called once per attempt when it ends (response complete, or failed). May return another target
   * to retry (honoured only when `outcome.retryable`), or an ErrorResponse to answer instead of the
   * default status for `outcome.error`.
   */
  readonly onOutcome?: (outcome: ForwardOutcome) => ForwardTarget | ErrorResponse | undefined
  /**
   * Called when a final response head arrives, before it is forwarded. Returning a target discards
   * this response and retries there; honoured only for replayable (bodiless) requests.
   */
  readonly onResponseHead?: (status: number, attempt: number) => ForwardTarget | undefined
}

/** What `route` answers: forward, or respond directly. */
export type RouteResult = ForwardTarget | ErrorResponse

/** The end of one forwarding attempt. */
export interface ForwardOutcome {
  readonly request: RequestHead
  readonly endpoint: Endpoint
  /** 0 for the first attempt, 1 for the first retry, ... */
  readonly attempt: number
  /** The upstream's final status, or 0 when no response head arrived. */
  readonly status: number
  /** What failed, or null when the response was forwarded completely. */
  readonly error: UpstreamErrorKind | null
  /** Milliseconds from the attempt's start to the response head (or to the failure). */
  readonly headMs: number
  /** Milliseconds from the attempt's start to its end. */
  readonly totalMs: number
  /** Request body bytes sent upstream in this attempt. */
  readonly requestBytes: number
  /** Response bytes (head and body) written to the client. */
  readonly responseBytes: number
  /** Whether any byte of this attempt's response reached the client. */
  readonly responseStarted: boolean
  /** Whether the request may be sent again: nothing reached the client and it has no body. */
  readonly retryable: boolean
  /** Whether `onResponseHead` asked for a retry and this response was discarded. */
  readonly discarded: boolean
}

/** Tells a RouteResult's two forms apart. */
export function isForwardTarget(r: RouteResult): r is ForwardTarget {
  return 'endpoint' in r
}

export type { Endpoint, PoolOptions } from './pool.js'
export { UpstreamPool } from './pool.js'
export type { ErrorResponse } from './error-response.js'
export { RequestHead } from './request-head.js'
export type { RequestLimits } from './request-parser.js'
export { DEFAULT_REQUEST_LIMITS, RequestParser } from './request-parser.js'
export { HttpProtocolError, UpstreamError, statusForError } from './errors.js'
export type { UpstreamErrorKind } from './errors.js'
export type { Http1Listener, Http1ListenerOptions, Http1ListenerEvents } from './listener.js'
export { createHttp1Listener } from './listener.js'
