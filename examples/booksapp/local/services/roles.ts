/**
 * Starts one booksapp role in this process, configured from the environment as booksapp is:
 * PORT, APP_VERSION, AUTHORS_SITE, BOOKS_SITE, FAILURE_RATE, ERROR_RATE, HTTP_PROXY.
 */
import { authorsRoutes, createAuthorsTable } from './authors.js'
import { booksRoutes, createBooksTable } from './books.js'
import { clientOptionsFromEnv, createHttpClient } from './client.js'
import { ratesFromEnv } from './failure.js'
import { json, pong, serve, text, type Route, type ServiceOptions } from './http-kit.js'
import { createResource } from './resource.js'
import { parseTrafficArgs, runTraffic } from './traffic.js'
import { TrafficStats } from './traffic-stats.js'
import { webappRoutes } from './webapp.js'

export const ROLES = ['webapp', 'authors', 'books', 'traffic'] as const
export type Role = (typeof ROLES)[number]

export function isRole(v: string | undefined): v is Role {
  return (ROLES as readonly (string | undefined)[]).includes(v)
}

/** booksapp's ports, used when PORT is unset; the traffic generator then takes any free port. */
export const DEFAULT_PORTS: Readonly<Record<Role, number>> = {
  webapp: 7000,
  authors: 7001,
  books: 7002,
  traffic: 0,
}

export interface StartedRole {
  readonly role: Role
  readonly port: number
  /** Stops serving (and for traffic, the loop) and releases every socket. */
  close(): Promise<void>
}

export function portFromEnv(role: Role, env: NodeJS.ProcessEnv): number {
  const raw = env['PORT']
  if (raw === undefined || raw.trim() === '') return DEFAULT_PORTS[role]
  const port = Number(raw)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number; found ${JSON.stringify(raw)}`)
  return port
}

export async function startRole(
  role: Role,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<StartedRole> {
  const http = createHttpClient(clientOptionsFromEnv(env))
  const base: Omit<ServiceOptions, 'routes' | 'rates'> = {
    name: role,
    version: env['APP_VERSION'] ?? 'dev',
    replica: env['FLEDGE_REPLICA'],
    log,
  }
  const authorsSite = env['AUTHORS_SITE'] ?? 'http://localhost:7001'
  const booksSite = env['BOOKS_SITE'] ?? 'http://localhost:7002'
  const port = portFromEnv(role, env)

  if (role === 'traffic') {
    const options = parseTrafficArgs(args, env)
    const stats = new TrafficStats()
    const routes: Route[] = [
      pong,
      { method: 'GET', pattern: /^\/stats$/, handler: () => json(200, stats.snapshot()) },
      {
        method: 'POST',
        pattern: /^\/stats\/reset$/,
        handler: () => {
          stats.reset()
          return text(200, 'reset')
        },
      },
    ]
    const running = await serve(
      { ...base, routes, rates: { failureRate: undefined, errorRate: undefined } },
      port,
    )
    log(
      `traffic: ${options.target} every ${options.sleepMs}ms, initial delay ${options.initialDelayMs}ms, via ${env['HTTP_PROXY'] ?? env['http_proxy'] ?? 'direct'}`,
    )
    const stop = new AbortController()
    const loop = runTraffic(options, { http, stats, log }, stop.signal).catch((err: unknown) => {
      log(`traffic loop stopped: ${err instanceof Error ? err.message : String(err)}`)
    })
    return {
      role,
      port: running.port,
      close: async () => {
        stop.abort()
        await loop
        http.close()
        await running.close()
      },
    }
  }

  const routes =
    role === 'authors'
      ? authorsRoutes(createAuthorsTable(), createResource(http, booksSite, 'books'))
      : role === 'books'
        ? booksRoutes(createBooksTable(), createResource(http, authorsSite, 'authors'))
        : webappRoutes({
            authors: createResource(http, authorsSite, 'authors'),
            books: createResource(http, booksSite, 'books'),
            footer: { version: base.version, replica: base.replica },
          })
  const running = await serve(
    { ...base, routes: role === 'webapp' ? routes : [pong, ...routes], rates: ratesFromEnv(env) },
    port,
  )
  return {
    role,
    port: running.port,
    // Server first: requests in flight still need the client for their downstream calls.
    close: async () => {
      await running.close()
      http.close()
    },
  }
}
