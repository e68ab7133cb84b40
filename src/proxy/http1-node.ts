/**
 * The HTTP/1.1 path on node:http and undici: the correct, complete reference path. Everything
 * protocol-independent (routing, balancing, resilience, metrics) lives in core.ts and exchange.ts,
 * so a leaner codec can replace this file without touching them.
 */
import http from 'node:http'
import type { Duplex } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Dispatcher } from 'undici'
import type { ProxyCore, Route } from './core.js'
import { errorKind, exchange, type Final } from './exchange.js'
import { forwardRequestHeaders, forwardResponseHeaders, requestAuthority } from './headers.js'
import type { Upstreams } from './upstreams.js'
import type { Logger } from './logger.js'
import { publishTap } from './tap-record.js'

export interface Http1Deps {
  readonly core: ProxyCore
  readonly upstreams: Upstreams
  readonly log: Logger
}

/** A node:http server configured with the proxy's limits and timeouts; not listening. */
export function createHttp1Server(deps: Http1Deps): http.Server {
  const s = deps.core.settings
  const server = http.createServer({
    maxHeaderSize: s.maxHeaderBytes,
    headersTimeout: s.headerTimeoutMs,
    requestTimeout: 0,
    keepAliveTimeout: s.idleTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(s.headerTimeoutMs / 2))),
    requireHostHeader: false,
    joinDuplicateHeaders: false,
    noDelay: true,
  })
  // node:http starts its header-timeout checks on 'listening'; this server never listens itself
  // (the listener hands it connections), so start them here. close() stops them.
  server.emit('listening')
  // Answer clients that shut down their sending side after the request (node:http aborts the
  // request otherwise); the property exists on node:http servers but is not in @types/node.
  Reflect.set(server, 'httpAllowHalfOpen', true)
  // One more than allowed, so that "too many" is visible rather than silently truncated.
  server.maxHeadersCount = s.maxHeaders + 1
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(deps, req, res).catch((err: unknown) => {
      deps.log.error('internal error handling a request', { error: String(err) })
      sendError(res, 500, 'internal', 'internal proxy error')
    })
  })
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    rejectMalformed(err, socket)
  })
  return server
}

/** Answers a request the parser refused, then closes: the byte stream can no longer be trusted. */
export function rejectMalformed(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || socket.destroyed) {
    socket.destroy()
    return
  }
  const code = err.code ?? ''
  const [status, reason] =
    code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large']
      : code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout']
        : code === 'ECONNRESET'
          ? [0, '']
          : [400, 'Bad Request']
  if (status === 0) {
    socket.destroy()
    return
  }
  const body = `${reason}\n`
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n` +
      `l5d-proxy-error: ${reason.toLowerCase()}\r\nConnection: close\r\n\r\n${body}`,
  )
}

async function handle(
  deps: Http1Deps,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const { core } = deps
  const started = Date.now()
  if (req.rawHeaders.length / 2 > core.settings.maxHeaders) {
    sendError(
      res,
      431,
      'too many headers',
      `more than ${core.settings.maxHeaders} request headers`,
      true,
    )
    return
  }
  const method = req.method ?? 'GET'
  const target = requestAuthority(req.url ?? '/', req.headers.host)
  if (target.authority === undefined || target.authority === '') {
    sendError(res, 400, 'no authority', 'request has no Host header and no absolute URI', true)
    return
  }
  if (
    req.headers['transfer-encoding'] !== undefined &&
    req.headers['content-length'] !== undefined
  ) {
    sendError(
      res,
      400,
      'content-length with transfer-encoding',
      'Content-Length with Transfer-Encoding',
      true,
    )
    return
  }
  const route = core.resolve(target.authority)
  if (route === undefined) {
    core.metrics.unknownAuthority()
    sendError(
      res,
      400,
      'unknown service',
      `unknown service "${target.authority}": no service or TrafficSplit of that name in the routing table`,
    )
    return
  }
  let headers = forwardRequestHeaders(req.rawHeaders, req.socket.remoteAddress)
  // An absolute-form target's authority replaces any Host header (RFC 9112 §3.2.2).
  if (target.absolute) headers = withHost(headers, target.authority)
  const body = await requestBody(core, req)
  const client = new AbortController()
  res.on('close', () => {
    if (!res.writableFinished) client.abort()
  })
  const final = await exchange<Dispatcher.ResponseData>(
    core,
    { route, method, replayable: body === null || Buffer.isBuffer(body), signal: client.signal },
    async (attempt, signal) => {
      try {
        const r = await deps.upstreams.pool(attempt.endpoint).request({
          path: target.path,
          method: method,
          headers,
          body,
          signal,
        })
        return {
          ok: true,
          status: r.statusCode,
          response: r,
          discard: () => {
            // Reads a small body to keep the connection reusable; destroys a large one.
            r.body.dump({ limit: 64 * 1024 }).catch(() => undefined)
          },
        }
      } catch (err) {
        return { ok: false, error: errorKind(err) }
      }
    },
  )
  await respond(deps, route, req, res, final, {
    method,
    path: target.path,
    started,
    authority: target.authority,
  })
}

async function respond(
  deps: Http1Deps,
  route: Route,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  final: Final<Dispatcher.ResponseData>,
  info: { method: string; path: string; started: number; authority: string },
): Promise<void> {
  const tap = (status: number | undefined, error: string | undefined, f: Final<unknown>): void => {
    if (deps.core.tap.active)
      publishTap(deps.core, route, { ...info, protocol: 'http/1.1', status, error, final: f })
  }
  if (final.kind === 'aborted') {
    req.destroy()
    return
  }
  if (final.kind === 'error') {
    sendError(res, final.status, final.error, final.message)
    tap(final.status, final.error, final)
    return
  }
  const r = final.response
  const upstream = { broke: false }
  r.body.once('error', () => {
    upstream.broke = true
  })
  res.writeHead(final.status, forwardResponseHeaders(r.headers))
  try {
    await pipeline(r.body, res)
    final.attempt.end({ status: final.status })
    tap(final.status, undefined, final)
  } catch {
    // Either the upstream broke off mid-body (its failure) or the client left (not the backend's).
    if (upstream.broke) final.attempt.end({ status: final.status, error: 'reset' })
    else final.attempt.end({ status: final.status })
    res.destroy()
    tap(final.status, upstream.broke ? 'reset' : 'client gone', final)
  }
}

/**
 * The body to send upstream: none, a buffer (small bodies with a Content-Length, so the request
 * can be sent again after a refused connection, or retried if idempotent) or the request stream.
 */
async function requestBody(
  core: ProxyCore,
  req: http.IncomingMessage,
): Promise<Buffer | http.IncomingMessage | null> {
  const te = req.headers['transfer-encoding']
  const cl = req.headers['content-length']
  if (te === undefined && (cl === undefined || cl === '0')) return null
  const length = cl === undefined ? NaN : Number(cl)
  if (!(length <= core.settings.retryMaxBodyBytes)) return req
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function withHost(flat: readonly string[], authority: string): string[] {
  const out: string[] = []
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i] ?? ''
    if (name.toLowerCase() !== 'host') out.push(name, flat[i + 1] ?? '')
  }
  out.push('host', authority)
  return out
}

/** A proxy-generated error: plain text, `l5d-proxy-error` says why, never a stack. */
export function sendError(
  res: http.ServerResponse,
  status: number,
  reason: string,
  message: string,
  close = false,
): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const body = `${message}\n`
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'l5d-proxy-error': reason,
    ...(close ? { connection: 'close' } : {}),
  })
  res.end(body)
}
