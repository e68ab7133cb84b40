import { connect, type Socket } from 'node:net'
import { UpstreamError, type UpstreamErrorKind } from './errors.js'
import { ResponseParser } from './response-parser.js'
import { Ticker, now, type Timed } from './ticker.js'

/** Where to forward: one upstream endpoint. Keep the object stable to make pool lookups cheap. */
export interface Endpoint {
  readonly host: string
  readonly port: number
}

/** Options of the upstream connection pool. */
export interface PoolOptions {
  /** Most idle kept-alive connections per endpoint (default 64). */
  readonly maxIdlePerEndpoint?: number
  /** Idle connections are closed after this long (default 30 s). */
  readonly idleTimeoutMs?: number
  /** A connect that takes longer fails with `connect-timeout` (default 3 s). */
  readonly connectTimeoutMs?: number
}

/** What an upstream connection reports to its current user. */
export interface UpstreamUser {
  onUpstreamConnect(conn: UpstreamConn): void
  onUpstreamData(conn: UpstreamConn, chunk: Buffer): void
  onUpstreamDrain(conn: UpstreamConn): void
  /** The upstream closed its side: the end of a close-delimited body, or a reset otherwise. */
  onUpstreamEnd(conn: UpstreamConn): void
  onUpstreamError(conn: UpstreamConn, err: UpstreamError): void
}

const CONNECTING = 0
const IDLE = 1
const BUSY = 2
const CLOSED = 3

/** One TCP connection to an upstream, reused across exchanges. */
export class UpstreamConn implements Timed {
  readonly socket: Socket
  readonly parser = new ResponseParser()
  /** Responses completed on this connection; >0 means a reused connection (may be stale). */
  served = 0
  user: UpstreamUser | null = null
  private state = CONNECTING
  private deadline = 0
  private readonly pool: EndpointPool

  constructor(pool: EndpointPool, user: UpstreamUser, connectTimeoutMs: number) {
    this.pool = pool
    this.user = user
    this.deadline = now() + connectTimeoutMs
    const socket = connect({ host: pool.endpoint.host, port: pool.endpoint.port, noDelay: true })
    this.socket = socket
    socket.on('connect', () => {
      this.state = BUSY
      this.deadline = 0
      this.user?.onUpstreamConnect(this)
    })
    socket.on('data', (chunk: Buffer) => {
      if (this.user !== null) this.user.onUpstreamData(this, chunk)
      else this.destroy() // bytes on an idle connection: the upstream is confused
    })
    socket.on('drain', () => this.user?.onUpstreamDrain(this))
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.fail(errorKind(err, this.state === CONNECTING), err)
    })
    socket.on('end', () => {
      const user = this.user
      this.destroy()
      user?.onUpstreamEnd(this)
    })
    socket.on('close', () => {
      this.fail('reset', new Error('upstream connection closed'))
    })
  }

  get connecting(): boolean {
    return this.state === CONNECTING
  }

  tick(t: number): void {
    if (this.deadline === 0 || t < this.deadline) return
    if (this.state === CONNECTING) {
      this.fail('connect-timeout', new Error('connect timed out'))
    } else if (this.state === IDLE) this.destroy()
  }

  /** Returns the connection to the pool for reuse. */
  release(): void {
    if (this.state !== BUSY) return
    this.user = null
    this.served++
    if (!this.pool.putIdle(this)) this.destroy()
  }

  /** Marks the connection idle with its idle deadline (called by the pool). */
  markIdle(idleTimeoutMs: number): void {
    this.state = IDLE
    this.deadline = now() + idleTimeoutMs
  }

  /** Takes an idle connection for a new user. */
  take(user: UpstreamUser): void {
    this.state = BUSY
    this.deadline = 0
    this.user = user
  }

  destroy(): void {
    if (this.state === CLOSED) return
    this.state = CLOSED
    this.user = null
    this.pool.forget(this)
    this.socket.destroy()
  }

  private fail(kind: UpstreamErrorKind, cause: unknown): void {
    if (this.state === CLOSED) return
    const user = this.user
    this.destroy()
    if (user !== null) {
      const message = cause instanceof Error ? cause.message : String(cause)
      user.onUpstreamError(this, new UpstreamError(kind, message, { cause }))
    }
  }
}

function errorKind(err: NodeJS.ErrnoException, connecting: boolean): UpstreamErrorKind {
  if (!connecting) return 'reset'
  if (err.code === 'ETIMEDOUT') return 'connect-timeout'
  return 'connect-refused'
}

/** The connections to one endpoint. */
export class EndpointPool {
  readonly endpoint: Endpoint
  /** Idle connections, most recently used last (LIFO keeps the warmest ones busy). */
  readonly idle: UpstreamConn[] = []
  /** Every open connection, idle or busy. */
  open = 0
  private readonly owner: UpstreamPool

  constructor(owner: UpstreamPool, endpoint: Endpoint) {
    this.owner = owner
    this.endpoint = endpoint
  }

  putIdle(conn: UpstreamConn): boolean {
    if (this.owner.closed || this.idle.length >= this.owner.maxIdle) return false
    conn.markIdle(this.owner.idleTimeoutMs)
    this.idle.push(conn)
    return true
  }

  forget(conn: UpstreamConn): void {
    const i = this.idle.lastIndexOf(conn)
    if (i >= 0) this.idle.splice(i, 1)
    this.open--
    this.owner.ticker.delete(conn)
  }
}

/**
 * Kept-alive upstream connections per endpoint (host:port): idle reuse (LIFO), a cap on idle
 * connections, idle and connect timeouts. Active connections are not capped: each in-flight
 * exchange holds one.
 */
export class UpstreamPool {
  readonly maxIdle: number
  readonly idleTimeoutMs: number
  readonly connectTimeoutMs: number
  readonly ticker: Ticker
  closed = false
  private readonly byKey = new Map<string, EndpointPool>()
  private readonly byObject = new WeakMap<Endpoint, EndpointPool>()

  constructor(options: PoolOptions = {}, ticker = new Ticker()) {
    this.maxIdle = options.maxIdlePerEndpoint ?? 64
    this.idleTimeoutMs = options.idleTimeoutMs ?? 30_000
    this.connectTimeoutMs = options.connectTimeoutMs ?? 3_000
    this.ticker = ticker
  }

  /** A connection for `user`: an idle one if any (synchronously usable), else a new one. */
  acquire(endpoint: Endpoint, user: UpstreamUser): UpstreamConn {
    const ep = this.endpointPool(endpoint)
    const idle = ep.idle.pop()
    if (idle !== undefined) {
      idle.take(user)
      return idle
    }
    const conn = new UpstreamConn(ep, user, this.connectTimeoutMs)
    ep.open++
    this.ticker.add(conn)
    return conn
  }

  /** Open and idle connection counts per endpoint key, for metrics and tests. */
  stats(): Map<string, { open: number; idle: number }> {
    const out = new Map<string, { open: number; idle: number }>()
    for (const [key, ep] of this.byKey) out.set(key, { open: ep.open, idle: ep.idle.length })
    return out
  }

  /** Closes idle connections and stops pooling; busy ones close when their exchange ends. */
  close(): void {
    this.closed = true
    for (const ep of this.byKey.values()) {
      for (const conn of [...ep.idle]) conn.destroy()
    }
  }

  private endpointPool(endpoint: Endpoint): EndpointPool {
    let ep = this.byObject.get(endpoint)
    if (ep !== undefined) return ep
    const key = `${endpoint.host}:${endpoint.port}`
    ep = this.byKey.get(key)
    if (ep === undefined) {
      ep = new EndpointPool(this, endpoint)
      this.byKey.set(key, ep)
    }
    this.byObject.set(endpoint, ep)
    return ep
  }
}
