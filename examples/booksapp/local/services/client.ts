/**
 * Outbound HTTP for the booksapp roles. With HTTP_PROXY (or http_proxy) set, every request goes
 * to that proxy in absolute form (`GET http://books:7002/books.json`, `Host: books:7002`), which is
 * how apps reach each other by service name in fledge's local mode; otherwise it goes direct.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http'

export interface HttpResponse {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

export interface RequestOptions {
  readonly body?: string
  readonly headers?: Readonly<Record<string, string>>
}

/** The request never got an HTTP answer: refused, reset, timed out. */
export class TransportError extends Error {
  /** The socket error code (ECONNREFUSED, ECONNRESET, ETIMEDOUT...). */
  readonly code: string
  constructor(message: string, code: string) {
    super(message)
    this.name = 'TransportError'
    this.code = code
  }
}

export interface HttpClient {
  /** Sends one request to an absolute `http://` URL; rejects only with TransportError. */
  request(method: string, url: string, opts?: RequestOptions): Promise<HttpResponse>
  close(): void
}

export interface ClientOptions {
  /** `http://host:port` of a forward proxy, or undefined to go direct. */
  readonly proxy?: string | undefined
  /** Hosts reached directly even with a proxy (NO_PROXY syntax: names, `.suffix`, `*`). */
  readonly noProxy?: string | undefined
  readonly timeoutMs?: number
}

/** The proxy settings as curl and most HTTP clients read them. */
export function clientOptionsFromEnv(env: NodeJS.ProcessEnv): ClientOptions {
  return {
    proxy: nonBlank(env['HTTP_PROXY']) ?? nonBlank(env['http_proxy']),
    noProxy: nonBlank(env['NO_PROXY']) ?? nonBlank(env['no_proxy']),
  }
}

function nonBlank(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim()
}

export function bypassesProxy(hostname: string, noProxy: string | undefined): boolean {
  if (noProxy === undefined) return false
  return noProxy
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '')
    .some((entry) => {
      if (entry === '*') return true
      const bare = entry.replace(/:\d+$/, '')
      const suffix = bare.startsWith('.') ? bare : `.${bare}`
      return hostname === bare || hostname.endsWith(suffix)
    })
}

export function createHttpClient(opts: ClientOptions = {}): HttpClient {
  // Idle sockets are dropped after 4s, before a Node server's 5s keep-alive timeout closes them.
  const agent = new Agent({ keepAlive: true, timeout: 4_000, maxSockets: 32 })
  const proxy = opts.proxy === undefined ? undefined : new URL(opts.proxy)
  const timeoutMs = opts.timeoutMs ?? 10_000

  const once = (
    method: string,
    target: URL,
    o: RequestOptions,
    retried: boolean,
  ): Promise<HttpResponse> =>
    new Promise((resolve, reject) => {
      const viaProxy = proxy !== undefined && !bypassesProxy(target.hostname, opts.noProxy)
      const headers: Record<string, string> = { host: target.host, ...o.headers }
      if (o.body !== undefined) headers['content-length'] = String(Buffer.byteLength(o.body))
      const req = httpRequest({
        agent,
        method,
        host: viaProxy ? proxy.hostname : target.hostname,
        port: viaProxy ? proxy.port || 80 : target.port || 80,
        path: viaProxy ? target.href : `${target.pathname}${target.search}`,
        headers,
        signal: AbortSignal.timeout(timeoutMs),
      })
      req.on('response', (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          })
        })
        res.on('error', (err) => {
          reject(toTransportError(method, target, err))
        })
      })
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed just as we reused it: the request never got
        // there, so sending it again on a fresh connection is safe (browsers do the same).
        if (req.reusedSocket && !retried && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) {
          once(method, target, o, true).then(resolve, reject)
          return
        }
        reject(toTransportError(method, target, err))
      })
      req.end(o.body)
    })

  return {
    request: (method, url, o = {}) => once(method, new URL(url), o, false),
    close: () => {
      agent.destroy()
    },
  }
}

function toTransportError(method: string, target: URL, err: NodeJS.ErrnoException): TransportError {
  const code =
    err.name === 'TimeoutError' || err.name === 'AbortError' ? 'ETIMEDOUT' : (err.code ?? 'ERR')
  return new TransportError(`${method} ${target.href}: ${err.message}`, code)
}
