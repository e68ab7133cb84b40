/**
 * Kept-alive connections to endpoints: one undici Pool per endpoint for HTTP/1.1, one HTTP/2
 * session per endpoint for h2c/gRPC. Connections count in `tcp_*{peer="dst"}`.
 */
import http2 from 'node:http2'
import { Pool } from 'undici'
import type { ProxySettings } from './config-schema.js'
import type { ProxyMetrics } from './metrics.js'

export interface EndpointAddress {
  readonly key: string
  readonly ip: string
  readonly port: number
}

export class Upstreams {
  readonly #settings: ProxySettings
  readonly #metrics: ProxyMetrics
  readonly #pools = new Map<string, Pool>()
  readonly #sessions = new Map<string, http2.ClientHttp2Session>()

  constructor(settings: ProxySettings, metrics: ProxyMetrics) {
    this.#settings = settings
    this.#metrics = metrics
  }

  /** The HTTP/1.1 pool of an endpoint, created on first use. */
  pool(ep: EndpointAddress): Pool {
    let p = this.#pools.get(ep.key)
    if (p !== undefined) return p
    p = new Pool(`http://${ep.key}`, {
      connections: this.#settings.upstreamConnections,
      pipelining: 1,
      // Below common upstream idle timeouts (Node 5s, nginx 75s) so the pool closes first.
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 4_000,
      connectTimeout: this.#settings.connectTimeoutMs,
      // The proxy's own request timeout covers headers; bodies have the idle timeout.
      headersTimeout: 0,
      bodyTimeout: this.#settings.responseIdleTimeoutMs,
    })
    p.on('connect', () => {
      this.#metrics.tcpOpen('dst')
    })
    p.on('disconnect', (_origin, _targets, err) => {
      this.#metrics.tcpClose('dst', isFailureClose(err))
    })
    this.#pools.set(ep.key, p)
    return p
  }

  /** The HTTP/2 session of an endpoint; a closed or failed session is replaced. */
  session(ep: EndpointAddress): http2.ClientHttp2Session {
    const s = this.#sessions.get(ep.key)
    if (s !== undefined && !s.closed && !s.destroyed) return s
    const created = http2.connect(`http://${ep.key}`)
    this.#metrics.tcpOpen('dst')
    let failed = false
    created.on('error', () => {
      failed = true
    })
    created.on('close', () => {
      this.#metrics.tcpClose('dst', failed)
      if (this.#sessions.get(ep.key) === created) this.#sessions.delete(ep.key)
    })
    created.setTimeout(this.#settings.idleTimeoutMs, () => {
      created.close()
    })
    this.#sessions.set(ep.key, created)
    return created
  }

  /** Closes the connections of endpoints no longer in the table; requests in flight finish. */
  prune(live: ReadonlySet<string>): void {
    for (const [key, p] of this.#pools) {
      if (live.has(key)) continue
      this.#pools.delete(key)
      p.close().catch(() => undefined)
    }
    for (const [key, s] of this.#sessions) {
      if (live.has(key)) continue
      this.#sessions.delete(key)
      s.close()
    }
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()]
    this.#pools.clear()
    for (const s of this.#sessions.values()) s.destroy()
    this.#sessions.clear()
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)))
  }
}

function isFailureClose(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : ''
  // Closing an idle kept-alive connection is the normal end of one.
  return (
    code !== '' &&
    code !== 'UND_ERR_INFO' &&
    code !== 'UND_ERR_CLOSED' &&
    code !== 'UND_ERR_DESTROYED'
  )
}
