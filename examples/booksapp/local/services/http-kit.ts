/**
 * The small HTTP toolkit every booksapp role shares: a route table, a server wrapper that adds
 * failure injection, the version header and a log line per request. Node built-ins only: this
 * directory is copied and run where no node_modules exist.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { injectedFailure, type FailureRates } from './failure.js'

/** One parsed request, body already read (booksapp payloads are small). */
export interface Req {
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  /** The route pattern's capture groups, in order. */
  readonly params: readonly string[]
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** What a handler answers; the server adds the common headers. */
export interface Reply {
  readonly status: number
  readonly headers?: Readonly<Record<string, string | string[]>>
  readonly body?: string
}

export type Handler = (req: Req) => Promise<Reply> | Reply

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  readonly pattern: RegExp
  readonly handler: Handler
}

export const text = (status: number, body: string): Reply => ({
  status,
  headers: { 'content-type': 'text/plain;charset=utf-8' },
  body,
})

export const json = (
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): Reply => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(value),
})

export const html = (
  status: number,
  body: string,
  headers: Record<string, string> = {},
): Reply => ({
  status,
  headers: { 'content-type': 'text/html;charset=utf-8', ...headers },
  body,
})

export const pong: Route = { method: 'GET', pattern: /^\/ping$/, handler: () => text(200, 'pong') }

/** Finds the handler; HEAD is served by the GET route with the body dropped, as in Sinatra. */
export function route(routes: readonly Route[], method: string, path: string): Handler | undefined {
  const wanted = method === 'HEAD' ? 'GET' : method
  for (const r of routes) {
    if (r.method !== wanted) continue
    const m = r.pattern.exec(path)
    if (m !== null)
      return (req) => r.handler({ ...req, params: m.slice(1).map((s) => decodeURIComponent(s)) })
  }
  return undefined
}

export interface ServiceOptions {
  /** Role name, for log lines. */
  readonly name: string
  readonly routes: readonly Route[]
  readonly rates: FailureRates
  /** Sent as `x-app-version` on every response. */
  readonly version: string
  /** Sent as `x-replica` when set (the platform's FLEDGE_REPLICA). */
  readonly replica?: string | undefined
  readonly log: (line: string) => void
  readonly rand?: () => number
}

export interface Running {
  readonly server: Server
  readonly port: number
  /** Stops accepting; requests in flight get `graceMs` (default 5s) to finish. */
  close(graceMs?: number): Promise<void>
}

const NOT_FOUND = html(404, '<h1>Not Found</h1>')

/** Starts a role's HTTP server on 127.0.0.1:port (0 picks a free port) and logs where. */
export async function serve(opts: ServiceOptions, port: number): Promise<Running> {
  const rand = opts.rand ?? Math.random
  let closing = false
  const server = createServer((req, res) => {
    const started = process.hrtime.bigint()
    const method = req.method ?? 'GET'
    const url = new URL(req.url ?? '/', 'http://booksapp.invalid')
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const finish = (reply: Reply): void => {
        const body = reply.body ?? ''
        const headers: Record<string, string | string[]> = {
          'x-app-version': opts.version,
          ...(opts.replica === undefined ? {} : { 'x-replica': opts.replica }),
          ...reply.headers,
        }
        // While shutting down, finish what is in flight but let no connection be reused.
        if (closing) headers['connection'] = 'close'
        if (reply.status !== 204 && reply.status !== 304) {
          headers['content-length'] = String(Buffer.byteLength(body))
        }
        res.writeHead(reply.status, headers)
        res.end(method === 'HEAD' || reply.status === 204 ? undefined : body)
        const ms = Number(process.hrtime.bigint() - started) / 1e6
        opts.log(`${method} ${url.pathname}${url.search} ${reply.status} ${ms.toFixed(1)}ms`)
      }
      const injected = injectedFailure(opts.rates, method, url.pathname, rand)
      if (injected !== undefined) {
        finish(
          text(
            injected,
            injected === 503 ? 'injected failure (FAILURE_RATE)' : 'injected error (ERROR_RATE)',
          ),
        )
        return
      }
      const handler = route(opts.routes, method, url.pathname)
      if (handler === undefined) {
        finish(NOT_FOUND)
        return
      }
      const request: Req = {
        method,
        path: url.pathname,
        query: url.searchParams,
        params: [],
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      Promise.resolve()
        .then(() => handler(request))
        .then(finish, (err: unknown) => {
          // Sinatra in production answers an unrescued error with a bare 500.
          opts.log(
            `error: ${method} ${url.pathname}: ${err instanceof Error ? err.message : String(err)}`,
          )
          finish(html(500, '<h1>Internal Server Error</h1>'))
        })
    })
  })
  // Longer than any client's idle timeout (fledge's proxy pools upstream connections), so a
  // client never reuses a connection this server is closing at that very moment.
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 66_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const bound = (server.address() as AddressInfo).port
  opts.log(`booksapp ${opts.name} ${opts.version} listening on http://127.0.0.1:${bound}`)
  return {
    server,
    port: bound,
    // Graceful: stop accepting, drop idle connections, let requests in flight finish (a replica
    // being replaced must not fail the requests it still holds), cut the rest after the grace.
    close: (graceMs = 5_000) =>
      new Promise<void>((resolve) => {
        closing = true
        const timer = setTimeout(() => {
          server.closeAllConnections()
        }, graceMs)
        server.close(() => {
          clearTimeout(timer)
          resolve()
        })
        server.closeIdleConnections()
      }),
  }
}
