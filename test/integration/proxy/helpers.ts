import http from 'node:http'
import { Pool } from 'undici'
import { loadFastEngine } from '../../../src/proxy/http1-fast.js'
import net from 'node:net'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { AddressInfo } from 'node:net'

export interface Upstream {
  readonly name: string
  readonly port: number
  readonly server: http.Server
  /** Requests seen. */
  count: number
  /** Host header and target of the last request. */
  lastHost: string | undefined
  lastUrl: string | undefined
  close(): Promise<void>
}

/** An HTTP/1.1 upstream answering `name` (or what `handler` does). */
export async function startUpstream(
  name: string,
  handler?: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<Upstream> {
  const up: Upstream = {
    name,
    port: 0,
    server: http.createServer((req, res) => {
      up.count++
      up.lastHost = req.headers.host
      up.lastUrl = req.url
      if (handler !== undefined) {
        handler(req, res)
        return
      }
      req.resume()
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain', 'x-upstream': name })
        res.end(name)
      })
    }),
    count: 0,
    lastHost: undefined,
    lastUrl: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        up.server.close(() => {
          resolve()
        })
        up.server.closeAllConnections()
      }),
  }
  await new Promise<void>((resolve) => up.server.listen(0, '127.0.0.1', resolve))
  ;(up as { port: number }).port = (up.server.address() as AddressInfo).port
  return up
}

export interface Reply {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

/** One HTTP/1.1 request through the proxy with an explicit Host header. */
export function request(
  port: number,
  opts: {
    host?: string
    path?: string
    method?: string
    headers?: http.OutgoingHttpHeaders
    body?: string | Buffer
    agent?: http.Agent
    timeoutMs?: number
  } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: opts.path ?? '/',
        method: opts.method ?? 'GET',
        headers: { ...(opts.host === undefined ? {} : { host: opts.host }), ...opts.headers },
        agent: opts.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          })
        })
        res.on('error', reject)
      },
    )
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error('client timeout')))
    req.on('error', reject)
    req.end(opts.body)
  })
}

/** Sends raw bytes on a fresh connection; resolves with everything read until close or timeout. */
export function rawExchange(
  port: number,
  bytes: string | Buffer,
  waitMs = 3000,
  halfClose = false,
): Promise<{ data: string; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1')
    let data = ''
    let done = false
    const finish = (closed: boolean): void => {
      if (done) return
      done = true
      clearTimeout(t)
      s.destroy()
      resolve({ data, closed })
    }
    const t = setTimeout(() => {
      finish(false)
    }, waitMs)
    s.on('data', (d: Buffer) => (data += d.toString('latin1')))
    s.on('close', () => {
      finish(true)
    })
    s.on('error', () => {
      finish(true)
    })
    if (halfClose) s.end(bytes)
    else s.write(bytes)
  })
}

export interface TempDir {
  readonly path: string
  write(name: string, text: string): void
  remove(): void
}

export function tempDir(prefix: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), `fledge-${prefix}-`))
  return {
    path,
    write: (name, text) => {
      mkdirSync(dirname(join(path, name)), { recursive: true })
      writeFileSync(join(path, name), text)
    },
    remove: () => {
      rmSync(path, { recursive: true, force: true })
    },
  }
}

/** Parses Prometheus text into samples; labels as an object. */
export function parseMetrics(
  text: string,
): { name: string; labels: Record<string, string>; value: number }[] {
  const out: { name: string; labels: Record<string, string>; value: number }[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line)
    if (m === null) continue
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1] ?? ''] = l[2] ?? ''
    out.push({ name: m[1] ?? '', labels, value: Number(m[3]) })
  }
  return out
}

export function sum(
  samples: ReturnType<typeof parseMetrics>,
  name: string,
  match: Record<string, string>,
): number {
  return samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0)
}

/** Runs `count` async tasks with at most `concurrency` in flight. */
export async function runPool(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<void> {
  let next = 0
  const workers = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const i = next++
      await task(i)
    }
  })
  await Promise.all(workers)
}

/** A fast keep-alive load client (undici), for tests that send thousands of requests. */
export function loadClient(
  port: number,
  connections = 16,
): {
  get(host: string, path?: string): Promise<{ status: number; body: string }>
  close(): Promise<void>
} {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections, pipelining: 1 })
  return {
    async get(host, path = '/') {
      const r = await pool.request({ path, method: 'GET', headers: { host } })
      return { status: r.statusCode, body: await r.body.text() }
    },
    close: () => pool.close(),
  }
}

/**
 * The HTTP/1.1 layers this build has: node:http + undici always, the raw-socket engine when
 * src/proxy/http1 is present. Suites about HTTP/1.1 behaviour run once per engine.
 */
export async function availableEngines(): Promise<('node' | 'fast')[]> {
  return (await loadFastEngine()) === undefined ? ['node'] : ['node', 'fast']
}
