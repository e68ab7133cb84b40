/**
 * The resilience policies around one request, independent of the wire protocol: request timeout
 * (504), retries within the service's budget, fail-fast when nothing can serve (503). The caller
 * supplies `send`, which performs one attempt and resolves when response headers arrive.
 */
import { Attempt, type ProxyCore, type Route } from './core.js'
import type { ErrorKind } from './metrics.js'

export type SendResult<R> =
  | {
      readonly ok: true
      readonly status: number
      readonly response: R
      /** Throws the response away (it is being retried). */
      discard(): void
    }
  | { readonly ok: false; readonly error: ErrorKind }

export type Final<R> =
  | {
      readonly kind: 'response'
      readonly attempt: Attempt
      readonly status: number
      readonly response: R
      readonly attempts: number
    }
  | {
      readonly kind: 'error'
      readonly status: 502 | 503 | 504
      readonly error: ErrorKind
      readonly message: string
      readonly attempts: number
      readonly backend: string
    }
  | { readonly kind: 'aborted'; readonly attempts: number }

export interface ExchangeRequest {
  readonly route: Route
  readonly method: string
  /** The body is absent or buffered, so the request can be sent again. */
  readonly replayable: boolean
  /** Aborted when the client goes away. */
  readonly signal?: AbortSignal | undefined
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'])

export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method)
}

export async function exchange<R>(
  core: ProxyCore,
  req: ExchangeRequest,
  send: (attempt: Attempt, signal: AbortSignal) => Promise<SendResult<R>>,
): Promise<Final<R>> {
  const { route } = req
  core.deposit(route)
  const ac = new AbortController()
  // An object, not a let: it is set from the timer callback.
  const state = { timedOut: false }
  const timer = setTimeout(() => {
    state.timedOut = true
    ac.abort()
  }, route.timeoutMs)
  const onClientGone = (): void => {
    ac.abort()
  }
  req.signal?.addEventListener('abort', onClientGone, { once: true })
  let attempts = 0
  let previous: Attempt | undefined
  try {
    for (;;) {
      const attempt = core.attempt(route, previous?.endpoint)
      if (!(attempt instanceof Attempt)) return failFast(core, route, attempt.unavailable, attempts)
      attempts++
      let result: SendResult<R>
      try {
        result = await send(attempt, ac.signal)
      } catch {
        result = { ok: false, error: 'internal' }
      }
      if (req.signal?.aborted === true && !state.timedOut) {
        if (result.ok) result.discard()
        attempt.abandon()
        return { kind: 'aborted', attempts }
      }
      if (state.timedOut) {
        if (result.ok) result.discard()
        attempt.end({ error: 'timeout' })
        return {
          kind: 'error',
          status: 504,
          error: 'timeout',
          message: `service "${route.service}" did not answer within ${route.timeoutMs}ms`,
          attempts,
          backend: attempt.target.backend,
        }
      }
      if (result.ok) {
        attempt.headers(result.status)
        if (retryableStatus(req, result.status, attempts, core) && core.withdraw(route)) {
          result.discard()
          attempt.end({ status: result.status })
          previous = attempt
          continue
        }
        return {
          kind: 'response',
          attempt,
          status: result.status,
          response: result.response,
          attempts,
        }
      }
      attempt.end({ error: result.error })
      if (retryableError(req, result.error, attempts, core) && core.withdraw(route)) {
        previous = attempt
        continue
      }
      return {
        kind: 'error',
        status: result.error === 'timeout' ? 504 : 502,
        error: result.error,
        message: `service "${route.service}" (backend "${attempt.target.backend}") failed: ${describe(result.error)}`,
        attempts,
        backend: attempt.target.backend,
      }
    }
  } finally {
    clearTimeout(timer)
    req.signal?.removeEventListener('abort', onClientGone)
  }
}

/** No endpoint of the chosen backend can take the request: 503 at once, counted as a failure. */
export function failFast<R>(
  core: ProxyCore,
  route: Route,
  backend: string,
  attempts: number,
): Final<R> {
  const target = core.target(route, backend)
  core.metrics.request(target)
  core.metrics.response(target, undefined, true, undefined, 'unavailable')
  return {
    kind: 'error',
    status: 503,
    error: 'unavailable',
    message:
      backend === '' || backend === route.service
        ? `no endpoint of service "${route.service}" is available`
        : `no endpoint of backend "${backend}" of service "${route.service}" is available`,
    attempts,
    backend,
  }
}

export function retryableStatus(
  req: ExchangeRequest,
  status: number,
  attempts: number,
  core: ProxyCore,
): boolean {
  if (status < 500 || attempts > core.settings.retryLimit || !req.replayable) return false
  if (!isIdempotent(req.method)) return false
  const on = req.route.retryOn
  return on.includes('5xx') || (on.includes('gateway-error') && status >= 502 && status <= 504)
}

export function retryableError(
  req: ExchangeRequest,
  error: ErrorKind,
  attempts: number,
  core: ProxyCore,
): boolean {
  if (attempts > core.settings.retryLimit || !req.replayable) return false
  if (!req.route.retryOn.includes('connect-error') && !req.route.retryOn.includes('5xx'))
    return false
  // A refused connection never reached the app, so any method may go again; a reset might have.
  if (error === 'connect') return true
  return error === 'reset' && isIdempotent(req.method)
}

function describe(error: ErrorKind): string {
  switch (error) {
    case 'connect':
      return 'connection refused or connect timeout'
    case 'reset':
      return 'connection closed before a response'
    case 'timeout':
      return 'timeout'
    case 'unavailable':
      return 'no endpoint available'
    case 'internal':
      return 'proxy error'
  }
}

const ERROR_KINDS: ReadonlyMap<string, ErrorKind> = new Map<string, ErrorKind>([
  ...[
    'ECONNREFUSED',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'EADDRNOTAVAIL',
    'ENOTFOUND',
    'UND_ERR_CONNECT_TIMEOUT',
  ].map((c): [string, ErrorKind] => [c, 'connect']),
  ...['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'].map((c): [string, ErrorKind] => [
    c,
    'timeout',
  ]),
  ...[
    'ECONNRESET',
    'EPIPE',
    'UND_ERR_SOCKET',
    'UND_ERR_CLOSED',
    'ERR_HTTP2_STREAM_ERROR',
    'ERR_HTTP2_SESSION_ERROR',
    'ERR_HTTP2_GOAWAY_SESSION',
    'ERR_HTTP2_STREAM_CANCEL',
  ].map((c): [string, ErrorKind] => [c, 'reset']),
])

/** Maps an upstream error (undici, net, http2) to the `error` label. */
export function errorKind(err: unknown): ErrorKind {
  if (!(err instanceof Error)) return 'internal'
  const code = 'code' in err ? String(err.code) : ''
  // HTTP/2 cancels pending streams when their session fails; the session's error is the cause.
  if (code === 'ERR_HTTP2_STREAM_CANCEL' && err.cause !== undefined) {
    const inner = errorKind(err.cause)
    if (inner !== 'internal') return inner
  }
  return ERROR_KINDS.get(code) ?? 'internal'
}
