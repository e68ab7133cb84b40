/**
 * The seam to the lean raw-socket HTTP/1.1 engine (`src/proxy/http1/`, built on its own branch):
 * adapts its callback contract (`route` per request head, `onResponseHead` and `onOutcome` per
 * attempt) to the proxy core, so routing, balancing, breaker, retry budget and metrics stay the
 * same whichever HTTP/1.1 layer runs. The engine is described here structurally, and loaded at run
 * time when present, so this file does not depend on it at build time.
 */
import type { Socket } from 'node:net'
import { Attempt, type ProxyCore, type Route } from './core.js'
import {
  failFast,
  retryableError,
  retryableStatus,
  type ExchangeRequest,
  type Final,
} from './exchange.js'
import type { ConnectionHandler } from './listener.js'
import type { ErrorKind } from './metrics.js'
import type { Http1LayerDeps } from './proxy.js'
import { publishTap } from './tap-record.js'

/** What the engine tells about a request head (a subset of its RequestHead). */
export interface FastRequestHead {
  readonly method: string
  readonly path: string
  readonly authority: string
  readonly hasBody: boolean
}

export interface FastEndpoint {
  readonly host: string
  readonly port: number
}

export interface FastErrorResponse {
  readonly status: number
  readonly body?: string
  readonly headers?: Readonly<Record<string, string>>
}

export type FastErrorKind =
  'connect-refused' | 'connect-timeout' | 'reset' | 'timeout' | 'protocol' | 'client-aborted'

export interface FastOutcome {
  readonly request: FastRequestHead
  readonly attempt: number
  readonly status: number
  /** Milliseconds from the attempt's start to the response head (or to the failure). */
  readonly headMs: number
  readonly error: FastErrorKind | null
  readonly retryable: boolean
  readonly discarded: boolean
}

export interface FastTarget {
  readonly endpoint: FastEndpoint
  readonly timeoutMs?: number
  readonly onOutcome?: (o: FastOutcome) => FastTarget | FastErrorResponse | undefined
  readonly onResponseHead?: (status: number, attempt: number) => FastTarget | undefined
}

export interface FastListenerOptions {
  readonly route: (req: FastRequestHead) => FastTarget | FastErrorResponse
  readonly limits?: { readonly maxHeaderBytes?: number; readonly maxHeaders?: number }
  readonly headerTimeoutMs?: number
  readonly idleTimeoutMs?: number
  readonly requestTimeoutMs?: number
  readonly pool?: {
    readonly maxIdlePerEndpoint?: number
    readonly idleTimeoutMs?: number
    readonly connectTimeoutMs?: number
  }
  readonly events?: { internalError?(err: unknown): void }
}

export interface FastListener {
  handle(socket: Socket, head?: Buffer): void
  close(): Promise<void>
}

/** The engine's `createHttp1Listener`, as this adapter uses it. */
export type CreateFastListener = (options: FastListenerOptions) => FastListener

/**
 * Loads the engine if this build has it (`src/proxy/http1/index.ts`); undefined when it is absent.
 * Any other failure to load it is a bug and is thrown, not papered over with the slower layer.
 */
export async function loadFastEngine(): Promise<CreateFastListener | undefined> {
  // A computed specifier keeps the type checker from requiring the module at build time.
  const specifier = ['.', 'http1', 'index.js'].join('/')
  try {
    const mod = (await import(specifier)) as { createHttp1Listener?: CreateFastListener }
    return mod.createHttp1Listener
  } catch (err) {
    const code = err instanceof Error && 'code' in err ? err.code : undefined
    if (code === 'ERR_MODULE_NOT_FOUND' && String(err).includes('http1')) return undefined
    throw err
  }
}

/** Builds the HTTP/1.1 layer on the engine, for `ProxyOptions.http1`. */
export function fastHttp1Layer(
  create: CreateFastListener,
): (deps: Http1LayerDeps) => ConnectionHandler & { close(): Promise<void> } {
  return ({ core, log }) => {
    const s = core.settings
    const endpoints = new WeakMap<object, FastEndpoint>()
    const endpointOf = (a: Attempt): FastEndpoint => {
      let e = endpoints.get(a.endpoint)
      if (e === undefined) {
        e = { host: a.endpoint.ip, port: a.endpoint.port }
        endpoints.set(a.endpoint, e)
      }
      return e
    }
    // Per-request state, found again by the request head the engine hands to onOutcome: one
    // shared callback instead of closures per request (cheaper, above all under tsx, whose
    // keepNames helper names every closure as it is created).
    const states = new WeakMap<object, Ctx>()
    const onOutcome = (o: FastOutcome): FastTarget | FastErrorResponse | undefined => {
      const ctx = states.get(o.request)
      return ctx === undefined ? undefined : outcome(ctx, o)
    }
    const listener = create({
      route: (req) => routeRequest(core, req, endpointOf, onOutcome, states),
      limits: { maxHeaderBytes: s.maxHeaderBytes, maxHeaders: s.maxHeaders },
      headerTimeoutMs: s.headerTimeoutMs,
      idleTimeoutMs: s.idleTimeoutMs,
      requestTimeoutMs: s.requestTimeoutMs,
      pool: {
        maxIdlePerEndpoint: s.upstreamConnections,
        idleTimeoutMs: 4_000,
        connectTimeoutMs: s.connectTimeoutMs,
      },
      events: {
        internalError: (err) => {
          log.error('internal error in the HTTP/1.1 engine', { error: String(err) })
        },
      },
    })
    return {
      accept(socket, head) {
        listener.handle(socket, head)
        socket.resume()
      },
      close: () => listener.close(),
    }
  }
}

function routeRequest(
  core: ProxyCore,
  req: FastRequestHead,
  endpointOf: (a: Attempt) => FastEndpoint,
  onOutcome: (o: FastOutcome) => FastTarget | FastErrorResponse | undefined,
  states: WeakMap<object, Ctx>,
): FastTarget | FastErrorResponse {
  if (req.authority === '') {
    return proxyError(400, 'no authority', 'request has no Host header and no absolute URI')
  }
  const route = core.resolve(req.authority)
  if (route === undefined) {
    core.metrics.unknownAuthority()
    return proxyError(
      400,
      'unknown service',
      `unknown service "${req.authority}": no service or TrafficSplit of that name in the routing table`,
    )
  }
  const now = core.now()
  core.deposit(route, now)
  const ctx: Ctx = {
    core,
    route,
    endpointOf,
    onOutcome,
    started: Date.now(),
    authority: req.authority,
    path: req.path,
    exchange: { route, method: req.method, replayable: !req.hasBody },
    retriesOnStatus: route.retryOn.includes('5xx') || route.retryOn.includes('gateway-error'),
    current: undefined,
    attempts: 0,
  }
  states.set(req, ctx)
  return nextAttempt(ctx, now)
}

interface Ctx {
  readonly core: ProxyCore
  readonly route: Route
  readonly endpointOf: (a: Attempt) => FastEndpoint
  readonly onOutcome: (o: FastOutcome) => FastTarget | FastErrorResponse | undefined
  readonly started: number
  readonly authority: string
  readonly path: string
  readonly exchange: ExchangeRequest
  readonly retriesOnStatus: boolean
  /** The attempt in flight; one at a time per request. */
  current: Attempt | undefined
  attempts: number
}

function nextAttempt(ctx: Ctx, now?: number): FastTarget | FastErrorResponse {
  const a = ctx.core.attempt(ctx.route, ctx.current?.endpoint, now)
  if (!(a instanceof Attempt)) {
    const f = failFast(ctx.core, ctx.route, a.unavailable, ctx.attempts)
    tap(ctx, f, 503, 'unavailable')
    return proxyError(503, 'unavailable', f.kind === 'error' ? f.message : 'unavailable')
  }
  return targetFor(ctx, a)
}

function targetFor(ctx: Ctx, a: Attempt): FastTarget {
  ctx.current = a
  ctx.attempts++
  const target = {
    endpoint: ctx.endpointOf(a),
    timeoutMs: ctx.route.timeoutMs,
    onOutcome: ctx.onOutcome,
  }
  // Retries on a response status (opt-in) need to see the head before it is forwarded.
  return ctx.retriesOnStatus
    ? { ...target, onResponseHead: (status: number) => responseHead(ctx, a, status) }
    : target
}

function responseHead(ctx: Ctx, a: Attempt, status: number): FastTarget | undefined {
  const { core, route } = ctx
  a.headers(status)
  if (!retryableStatus(ctx.exchange, status, ctx.attempts, core) || !core.withdraw(route)) {
    return undefined
  }
  const next = core.attempt(route, a.endpoint)
  // Nothing else can serve: forward this 5xx rather than turn it into a 503.
  if (!(next instanceof Attempt)) return undefined
  a.end({ status })
  return targetFor(ctx, next)
}

function outcome(ctx: Ctx, o: FastOutcome): FastTarget | FastErrorResponse | undefined {
  const a = ctx.current
  // A discarded attempt was ended when its head was seen; `current` is already the retry.
  if (o.discarded || a === undefined) return undefined
  const { core, route } = ctx
  const attempts = ctx.attempts
  if (o.status > 0 && a.latencyMs === undefined) a.headers(o.status, o.headMs)
  if (o.error === null) {
    a.end({ status: o.status })
    if (core.tap.active) {
      tap(
        ctx,
        { kind: 'response', attempt: a, status: o.status, response: undefined, attempts },
        o.status,
        undefined,
      )
    }
    return undefined
  }
  if (o.error === 'client-aborted') {
    if (o.status > 0) a.end({ status: o.status })
    else a.abandon()
    return undefined
  }
  if (o.status > 0) {
    // The response had begun: the client's connection is closed, nothing else to answer.
    a.end({ status: o.status, error: 'reset' })
    tap(
      ctx,
      { kind: 'response', attempt: a, status: o.status, response: undefined, attempts },
      o.status,
      'reset',
    )
    return undefined
  }
  const kind = errorOf(o.error)
  a.end({ error: kind })
  if (o.retryable && retryableError(ctx.exchange, kind, attempts, core) && core.withdraw(route)) {
    return nextAttempt(ctx)
  }
  const status = kind === 'timeout' ? 504 : 502
  const message =
    kind === 'timeout'
      ? `service "${route.service}" did not answer within ${route.timeoutMs}ms`
      : `service "${route.service}" (backend "${a.target.backend}") failed: ${o.error}`
  tap(
    ctx,
    { kind: 'error', status, error: kind, message, attempts, backend: a.target.backend },
    status,
    kind,
  )
  return proxyError(status, kind, message)
}

function errorOf(kind: Exclude<FastErrorKind, 'client-aborted'>): ErrorKind {
  switch (kind) {
    case 'connect-refused':
    case 'connect-timeout':
      return 'connect'
    case 'timeout':
      return 'timeout'
    case 'reset':
    case 'protocol':
      return 'reset'
  }
}

function tap(
  ctx: Ctx,
  final: Final<unknown>,
  status: number | undefined,
  error: string | undefined,
): void {
  if (!ctx.core.tap.active) return
  publishTap(ctx.core, ctx.route, {
    protocol: 'http/1.1',
    method: ctx.exchange.method,
    path: ctx.path,
    authority: ctx.authority,
    started: ctx.started,
    status,
    error,
    final,
  })
}

function proxyError(status: number, reason: string, message: string): FastErrorResponse {
  return { status, body: `${message}\n`, headers: { 'l5d-proxy-error': reason } }
}
