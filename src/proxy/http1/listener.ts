import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { ClientConnection, type ConnectionContext } from './connection.js'
import type { HttpProtocolError } from './errors.js'
import type { RouteResult } from './index.js'
import { UpstreamPool, type PoolOptions } from './pool.js'
import type { RequestHead } from './request-head.js'
import { DEFAULT_REQUEST_LIMITS, RequestParser, type RequestLimits } from './request-parser.js'
import { Ticker } from './ticker.js'

/** Hooks for metrics and logs; all optional, all synchronous and cheap. */
export interface Http1ListenerEvents {
  /** A client connection was accepted (for `tcp_open_total`). */
  connectionOpened?(): void
  /** A client connection closed (for `tcp_close_total`). */
  connectionClosed?(): void
  /** A malformed request was answered with `err.status` and the connection closed. */
  protocolError?(err: HttpProtocolError): void
  /** A bug: `route` threw, or something unexpected happened. The client got a bare 500. */
  internalError?(err: unknown): void
}

/** Options of `createHttp1Listener`. */
export interface Http1ListenerOptions {
  /** Decides, per request head, where to forward it or what to answer. Must not throw. */
  readonly route: (req: RequestHead) => RouteResult
  /** Head size, header count and body size limits. */
  readonly limits?: Partial<RequestLimits>
  /** Time a client has to send a complete request head (default 10 s); then 408 and close. */
  readonly headerTimeoutMs?: number
  /** Time a kept-alive client connection may sit idle between requests (default 60 s). */
  readonly idleTimeoutMs?: number
  /** Default time to the response head, and between body chunks, when the target sets none (10 s). */
  readonly requestTimeoutMs?: number
  /** The upstream pool, or options for a new one owned (and closed) by the listener. */
  readonly pool?: UpstreamPool | PoolOptions
  /** Granularity of every timeout (default 100 ms). */
  readonly tickMs?: number
  /**
   * Receives connections that open with the HTTP/2 preface (h2c prior knowledge), with the bytes
   * already read; e.g. `(s, b) => { s.unshift(b); h2server.emit('connection', s) }`. Without it
   * they get a 400 (the preface is not a valid HTTP/1.1 request).
   */
  readonly onHttp2?: (socket: Socket, head: Buffer) => void
  readonly events?: Http1ListenerEvents
}

/** A running HTTP/1.1 forwarding listener. */
export interface Http1Listener {
  /** The underlying server (not listening until `listen`). */
  readonly server: Server
  /** The upstream pool in use. */
  readonly pool: UpstreamPool
  /** Starts listening; resolves with the bound address. */
  listen(port: number, host?: string): Promise<AddressInfo>
  /** Serves a socket accepted elsewhere (e.g. after sniffing the protocol), with bytes already read. */
  handle(socket: Socket, head?: Buffer): void
  /** Open client connections. */
  readonly connections: number
  /** Stops accepting, closes every connection and the owned pool. */
  close(): Promise<void>
}

/** Creates an HTTP/1.1 forwarding listener; see index.ts for the routing contract. */
export function createHttp1Listener(options: Http1ListenerOptions): Http1Listener {
  const ticker = new Ticker(options.tickMs ?? 100)
  const ownPool = !(options.pool instanceof UpstreamPool)
  const pool =
    options.pool instanceof UpstreamPool ? options.pool : new UpstreamPool(options.pool, ticker)
  const limits: RequestLimits = { ...DEFAULT_REQUEST_LIMITS, ...options.limits }
  const events = options.events ?? {}
  const open = new Set<ClientConnection>()
  const ctx: ConnectionContext = {
    pool,
    defaultTimeoutMs: options.requestTimeoutMs ?? 10_000,
    route: options.route,
    newParser: () => new RequestParser(limits),
    headerTimeoutMs: options.headerTimeoutMs ?? 10_000,
    idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
    onProtocolError: (err) => events.protocolError?.(err),
    onInternalError: (err) => events.internalError?.(err),
    onClose: (conn) => {
      if (open.delete(conn)) {
        ticker.delete(conn)
        events.connectionClosed?.()
      }
    },
    onHttp2: options.onHttp2,
  }
  const handle = (socket: Socket, head?: Buffer): void => {
    const conn = new ClientConnection(socket, ctx)
    open.add(conn)
    ticker.add(conn)
    events.connectionOpened?.()
    if (head !== undefined && head.length > 0) conn.feed(head)
  }
  // allowHalfOpen: a client may half-close after its request and still wait for the response.
  const server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    handle(socket)
  })
  return {
    server,
    pool,
    handle,
    get connections() {
      return open.size
    },
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          server.off('error', reject)
          resolve(server.address() as AddressInfo)
        })
      })
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => {
          resolve()
        })
        for (const conn of [...open]) conn.close()
        if (ownPool) pool.close()
        ticker.stop()
        if (!server.listening) resolve()
      })
    },
  }
}
