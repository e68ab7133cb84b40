/**
 * A fault-injection backend: answers `status` for a `rate` share of requests (chosen at random,
 * per request) and 200 otherwise, after an optional delay. Behind a TrafficSplit it reproduces
 * Linkerd's fault-injection recipe.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { listen, parseAddress } from './address.js'

export interface ErrorInjectorOptions {
  readonly listen?: string
  readonly status?: number
  /** Share of requests answered with `status`, 0 to 1. */
  readonly rate?: number
  readonly delayMs?: number
  readonly rand?: () => number
}

export interface ErrorInjector {
  readonly address: AddressInfo
  /** Requests answered so far, by status. */
  readonly counts: ReadonlyMap<number, number>
  close(): Promise<void>
}

export async function startErrorInjector(opts: ErrorInjectorOptions = {}): Promise<ErrorInjector> {
  const status = opts.status ?? 500
  const rate = opts.rate ?? 1
  const delay = opts.delayMs ?? 0
  const rand = opts.rand ?? Math.random
  const counts = new Map<number, number>()
  const server = http.createServer((req, res) => {
    const code = rand() < rate ? status : 200
    counts.set(code, (counts.get(code) ?? 0) + 1)
    const answer = (): void => {
      const body = code === 200 ? 'ok\n' : `injected error ${code}\n`
      res.writeHead(code, {
        'content-type': 'text/plain',
        'content-length': Buffer.byteLength(body),
      })
      res.end(req.method === 'HEAD' ? undefined : body)
    }
    req.resume()
    req.on('end', () => {
      if (delay > 0) setTimeout(answer, delay)
      else answer()
    })
  })
  server.keepAliveTimeout = 60_000
  const address = await listen(server, parseAddress(opts.listen ?? '127.0.0.1:8080'))
  return {
    address,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
        server.closeAllConnections()
      }),
  }
}
