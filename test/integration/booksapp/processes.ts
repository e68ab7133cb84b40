/**
 * Test helpers for booksapp: run a role as a real process (`node --import tsx booksapp.ts ROLE`),
 * plain HTTP calls with no connection reuse, and a tiny forward proxy like fledge's.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
export const ENTRY = fileURLToPath(
  new URL('../../../examples/booksapp/local/services/booksapp.ts', import.meta.url),
)

/** Variables the services read, cleared so the caller's shell cannot leak into a test. */
const SERVICE_VARS = [
  'PORT',
  'APP_VERSION',
  'AUTHORS_SITE',
  'BOOKS_SITE',
  'FAILURE_RATE',
  'ERROR_RATE',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
  'FLEDGE_REPLICA',
  'TRAFFIC_SLEEP',
  'TRAFFIC_INITIAL_DELAY',
  'TRAFFIC_MAX_ATTEMPTS',
  'TRAFFIC_TARGET',
]

export interface ServiceProcess {
  readonly port: number
  readonly url: string
  readonly child: ChildProcess
  /** Everything the process printed so far. */
  output(): string
  stop(): Promise<void>
}

/** Starts a role on PORT (default 0: the process picks one and logs it) and waits until it listens. */
export async function startService(
  role: string,
  opts: {
    env?: Record<string, string>
    args?: string[]
    timeoutMs?: number
    /** Another copy of booksapp.ts (and its working directory), e.g. a copied example. */
    entry?: string
    cwd?: string
  } = {},
): Promise<ServiceProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const v of SERVICE_VARS) env[v] = undefined
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, role, ...(opts.args ?? [])], {
    cwd: ROOT,
    env: { ...stripUndefined(env), PORT: '0', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.on('data', (c: Buffer) => (out += c.toString()))
  child.stderr.on('data', (c: Buffer) => (out += c.toString()))
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve()
    }),
  )
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000)
    await exited
    clearTimeout(timer)
  }
  const port = await new Promise<number>((resolve, reject) => {
    const timeoutMs = opts.timeoutMs ?? 20_000
    const timer = setTimeout(() => {
      clearInterval(poll)
      reject(new Error(`${role} did not start in ${timeoutMs}ms:\n${out}`))
    }, timeoutMs)
    const poll = setInterval(() => {
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)
      if (m?.[1] !== undefined || child.exitCode !== null) {
        clearInterval(poll)
        clearTimeout(timer)
        if (m?.[1] !== undefined) resolve(Number(m[1]))
        else reject(new Error(`${role} exited with ${child.exitCode}:\n${out}`))
      }
    }, 20)
  }).catch(async (err: unknown) => {
    await stop()
    throw err
  })
  return { port, url: `http://127.0.0.1:${port}`, child, output: () => out, stop }
}

function stripUndefined(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
  )
}

export interface Answer {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** One request on a fresh connection (nothing lingers after a test). */
export function call(
  method: string,
  url: string,
  opts: { body?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, headers: opts.headers, timeout: 10_000 })
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timed out`)))
    req.on('error', reject)
    req.on('response', (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body })
      })
    })
    req.end(opts.body)
  })
}

export const postJson = (url: string, value: unknown, method = 'POST'): Promise<Answer> =>
  call(method, url, {
    body: JSON.stringify(value),
    headers: { 'content-type': 'application/json' },
  })

export const postForm = (url: string, fields: Record<string, string>): Promise<Answer> =>
  call('POST', url, {
    body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })

/** Polls `check` every 50ms until it returns a value or `timeoutMs` passes. */
export async function eventually<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await check()
      if (v !== undefined) return v
    } catch (err) {
      last = err
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not within ${timeoutMs}ms${last === undefined ? '' : ` (${last instanceof Error ? last.message : JSON.stringify(last)})`}`,
      )
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** An HTTP server on 127.0.0.1 port 0, answered by `handle`. */
export async function startServer(
  handle: (
    method: string,
    url: string,
    headers: IncomingHttpHeaders,
    body: string,
  ) => Answer | { status: number; body?: string; headers?: Record<string, string> },
): Promise<{ server: Server; url: string; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      const a = handle(req.method ?? '', req.url ?? '', req.headers, body)
      res.writeHead(a.status, a.headers as Record<string, string> | undefined)
      res.end(a.body)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => {
          r()
        })
        server.closeAllConnections()
      }),
  }
}

/** What a forward proxy saw: the request line's target and the Host header. */
export interface ProxiedRequest {
  readonly method: string
  readonly target: string
  readonly host: string | undefined
}

/**
 * A minimal forward proxy: takes absolute-form requests (`GET http://books:7002/x`), maps the
 * authority through `routes` to a local port, forwards, and records what it saw.
 */
export async function startForwardProxy(routes: Map<string, number>): Promise<{
  url: string
  seen: ProxiedRequest[]
  close(): Promise<void>
}> {
  const seen: ProxiedRequest[] = []
  const server = createServer((req, res) => {
    const target = req.url ?? ''
    seen.push({ method: req.method ?? '', target, host: req.headers.host })
    let parsed: URL
    try {
      parsed = new URL(target)
    } catch {
      res.writeHead(400).end('expected an absolute-form request target')
      return
    }
    const port = routes.get(parsed.host)
    if (port === undefined) {
      res.writeHead(502).end(`no route to ${parsed.host}`)
      return
    }
    const upstream = request(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: `${parsed.pathname}${parsed.search}`,
        headers: req.headers,
        agent: false,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      },
    )
    upstream.on('error', () => res.writeHead(502).end())
    req.pipe(upstream)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => {
          r()
        })
        server.closeAllConnections()
      }),
  }
}

/**
 * Ports nothing listens on right now, all different: for services that must know each other's
 * address before either starts, and for a client to find closed and a server to take later.
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, async () => {
      const server = createServer()
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      return server
    }),
  )
  const ports = servers.map((s) => (s.address() as AddressInfo).port)
  await Promise.all(
    servers.map(
      (s) =>
        new Promise<void>((r) =>
          s.close(() => {
            r()
          }),
        ),
    ),
  )
  return ports
}
