/**
 * HTTP/2 cleartext with prior knowledge (h2c), so gRPC passes through: streams are forwarded to an
 * endpoint's HTTP/2 session with bodies streaming both ways and trailers (grpc-status) relayed.
 */
import http2 from 'node:http2'
import type { ProxyCore } from './core.js'
import { errorKind, exchange } from './exchange.js'
import { isHopByHop } from './headers.js'
import type { Logger } from './logger.js'
import type { Upstreams } from './upstreams.js'
import { publishTap } from './tap-record.js'

export interface Http2Deps {
  readonly core: ProxyCore
  readonly upstreams: Upstreams
  readonly log: Logger
}

interface Upstream {
  readonly stream: http2.ClientHttp2Stream
  readonly headers: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader
}

const { NGHTTP2_CANCEL } = http2.constants

/** An h2c server (not listening); connections are handed to it by the listener. */
export function createHttp2Server(deps: Http2Deps): http2.Http2Server {
  const s = deps.core.settings
  const server = http2.createServer({
    maxHeaderListPairs: s.maxHeaders,
    settings: { maxHeaderListSize: s.maxHeaderBytes },
  })
  server.on('stream', (stream, headers) => {
    handleStream(deps, stream, headers).catch((err: unknown) => {
      deps.log.error('internal error handling an HTTP/2 stream', { error: String(err) })
      respondError(stream, 500, 'internal', 'internal proxy error')
    })
  })
  server.on('sessionError', () => undefined)
  server.setTimeout(s.idleTimeoutMs)
  return server
}

async function handleStream(
  deps: Http2Deps,
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
): Promise<void> {
  const { core } = deps
  const started = Date.now()
  stream.on('error', () => undefined)
  const authority = headers[':authority'] ?? headers.host
  const method = headers[':method'] ?? 'GET'
  const path = headers[':path'] ?? '/'
  if (authority === undefined || authority === '') {
    respondError(stream, 400, 'no authority', 'request has no :authority')
    return
  }
  const route = core.resolve(authority)
  if (route === undefined) {
    core.metrics.unknownAuthority()
    respondError(
      stream,
      400,
      'unknown service',
      `unknown service "${authority}": no service or TrafficSplit of that name in the routing table`,
    )
    return
  }
  const out: http2.OutgoingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || isHopByHop(name) || name === 'host') continue
    if (name === 'te' || name === 'x-forwarded-for') continue
    out[name] = value
  }
  if (headers['te'] === 'trailers') out.te = 'trailers'
  const prior = headers['x-forwarded-for']
  const ip = stream.session?.socket.remoteAddress ?? ''
  out['x-forwarded-for'] = prior === undefined ? ip : `${String(prior)}, ${ip}`
  const noBody = stream.endAfterHeaders
  const client = new AbortController()
  stream.on('close', () => {
    if (stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR) client.abort()
  })
  const final = await exchange<Upstream>(
    core,
    { route, method, replayable: noBody, signal: client.signal },
    (attempt, signal) =>
      new Promise((resolve) => {
        let up: http2.ClientHttp2Stream
        try {
          up = deps.upstreams.session(attempt.endpoint).request(out, { endStream: noBody, signal })
        } catch (err) {
          resolve({ ok: false, error: errorKind(err) })
          return
        }
        up.once('response', (h) => {
          resolve({
            ok: true,
            status: Number(h[':status']),
            response: { stream: up, headers: h },
            discard: () => {
              up.close(NGHTTP2_CANCEL)
            },
          })
        })
        up.once('error', (err) => {
          resolve({ ok: false, error: signal.aborted ? 'timeout' : errorKind(err) })
        })
        up.once('close', () => {
          resolve({ ok: false, error: 'reset' })
        })
        if (!noBody) stream.pipe(up)
      }),
  )
  const tap = (
    status: number | undefined,
    grpcStatus: number | undefined,
    error: string | undefined,
  ): void => {
    if (core.tap.active) {
      publishTap(core, route, {
        protocol: 'h2',
        method,
        path,
        authority,
        started,
        status,
        grpcStatus,
        error,
        final: final,
      })
    }
  }
  if (final.kind === 'aborted') return
  if (final.kind === 'error') {
    respondError(stream, final.status, final.error, final.message)
    tap(final.status, undefined, final.error)
    return
  }
  relay(stream, final.response, (grpcStatus, broken) => {
    final.attempt.end({ status: final.status, grpcStatus, error: broken ? 'reset' : undefined })
    tap(final.status, grpcStatus, broken ? 'reset' : undefined)
  })
}

/** Streams an upstream response to the client, trailers included; `done` once it has ended. */
function relay(
  stream: http2.ServerHttp2Stream,
  { stream: up, headers }: Upstream,
  done: (grpcStatus: number | undefined, broken: boolean) => void,
): void {
  const isGrpc = (headers['content-type'] ?? '').startsWith('application/grpc')
  const grpcOf = (h: http2.IncomingHttpHeaders | undefined): number | undefined => {
    const v = h?.['grpc-status']
    return v === undefined ? undefined : Number(v)
  }
  let finished = false
  const finish = (trailers: http2.IncomingHttpHeaders | undefined, broken: boolean): void => {
    if (finished) return
    finished = true
    const g = grpcOf(trailers) ?? grpcOf(headers)
    // A gRPC response without grpc-status is Unknown, as gRPC clients see it.
    done(isGrpc && g === undefined ? 2 : g, broken)
  }
  const respHeaders: http2.OutgoingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || isHopByHop(name)) continue
    respHeaders[name] = value
  }
  if (stream.destroyed || stream.closed) {
    up.close(NGHTTP2_CANCEL)
    finish(undefined, false)
    return
  }
  if (up.endAfterHeaders) {
    // Trailers-only (a gRPC error answered in the headers): keep it one HEADERS frame.
    stream.respond(respHeaders, { endStream: true })
    finish(undefined, false)
    return
  }
  let trailers: http2.IncomingHttpHeaders | undefined
  up.on('trailers', (t: http2.IncomingHttpHeaders) => {
    trailers = t
  })
  stream.respond(respHeaders, { waitForTrailers: true })
  stream.on('wantTrailers', () => {
    const t: http2.OutgoingHttpHeaders = {}
    for (const [name, value] of Object.entries(trailers ?? {}))
      if (value !== undefined) t[name] = value
    stream.sendTrailers(t)
  })
  up.pipe(stream)
  up.on('end', () => {
    finish(trailers, false)
  })
  up.on('close', () => {
    if (!finished) {
      // The upstream stream closed before its end: reset the client's stream too.
      stream.close(NGHTTP2_CANCEL)
      finish(trailers, true)
    }
  })
  stream.on('close', () => {
    if (!finished) {
      up.close(NGHTTP2_CANCEL)
      finish(trailers, false)
    }
  })
}

function respondError(
  stream: http2.ServerHttp2Stream,
  status: number,
  reason: string,
  message: string,
): void {
  if (stream.destroyed || stream.closed) return
  if (stream.headersSent) {
    stream.close(NGHTTP2_CANCEL)
    return
  }
  stream.respond({
    ':status': status,
    'content-type': 'text/plain; charset=utf-8',
    'l5d-proxy-error': reason,
  })
  stream.end(`${message}\n`)
}
