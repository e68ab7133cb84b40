/**
 * The admin server: `/metrics` (Prometheus text from the proxy's own registry), `/ready`, `/live`,
 * `/config` (the routing table in force, with a generation per TrafficSplit) and `/tap` (finished
 * requests as newline-delimited JSON, streamed until the client disconnects).
 */
import http from 'node:http'
import type { Registry } from 'prom-client'
import { describeTable, type RouteTable } from './route-table.js'
import type { TapBus, TapFilter } from './tap.js'
import type { Logger } from './logger.js'

export interface AdminDeps {
  readonly registry: Registry
  readonly tap: TapBus
  readonly table: () => RouteTable
  readonly ready: () => boolean
  readonly log: Logger
}

export function createAdminServer(deps: AdminDeps): http.Server {
  const server = http.createServer((req, res) => {
    route(deps, req, res).catch((err: unknown) => {
      deps.log.error('admin request failed', { error: String(err) })
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
      res.end('internal error\n')
    })
  })
  server.headersTimeout = 10_000
  return server
}

async function route(
  deps: AdminDeps,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://admin')
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    text(res, 405, 'method not allowed')
    return
  }
  switch (url.pathname) {
    case '/metrics': {
      const body = await deps.registry.metrics()
      res.writeHead(200, { 'content-type': deps.registry.contentType })
      res.end(body)
      return
    }
    case '/live':
      text(res, 200, 'live')
      return
    case '/ready':
      if (deps.ready()) text(res, 200, 'ready')
      else text(res, 503, 'not ready: no routing table loaded yet')
      return
    case '/config':
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(`${JSON.stringify(describeTable(deps.table()), null, 2)}\n`)
      return
    case '/tap':
      tap(deps, url, req, res)
      return
    default:
      text(res, 404, 'not found: try /metrics, /ready, /live, /config, /tap')
  }
}

function tap(deps: AdminDeps, url: URL, req: http.IncomingMessage, res: http.ServerResponse): void {
  const q = url.searchParams
  const filter: TapFilter = {
    service: q.get('service') ?? undefined,
    backend: q.get('backend') ?? undefined,
    method: q.get('method') ?? undefined,
    path: q.get('path') ?? undefined,
  }
  const max = Number(q.get('max') ?? '0')
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' })
  res.flushHeaders()
  let sent = 0
  const unsubscribe = deps.tap.subscribe(filter, (e) => {
    // A slow reader loses events rather than making the proxy buffer without bound.
    if (res.writableLength > 1_000_000) return
    res.write(`${JSON.stringify(e)}\n`)
    sent++
    if (max > 0 && sent >= max) {
      unsubscribe()
      res.end()
    }
  })
  req.on('close', unsubscribe)
  res.on('close', unsubscribe)
}

function text(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
  res.end(`${body}\n`)
}
