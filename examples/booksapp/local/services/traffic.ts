/**
 * booksapp's traffic generator (traffic/main.go): reset, then forever create an author, two
 * books, edit one, delete both, each request followed by `sleep`. Two changes make it fit a local
 * demo that restarts things under it: a transport error is logged and counted, then it pauses and
 * goes on, instead of exiting; and each retried step gives up after `maxAttempts`, abandoning
 * the loop (which resets and starts over) instead of retrying forever.
 */
import { TransportError, type HttpClient } from './client.js'
import { parseGoDuration } from './duration.js'
import type { TrafficStats } from './traffic-stats.js'

export interface TrafficOptions {
  /** `host:port` of the webapp, sent as the Host header (`webapp:7000`). */
  readonly target: string
  /** Pause after every request (booksapp: 100ms). */
  readonly sleepMs: number
  /** Wait before the first request. */
  readonly initialDelayMs: number
  /** Attempts per retried step before the loop is abandoned. */
  readonly maxAttempts: number
  /** Pause after a transport error. */
  readonly errorPauseMs: number
}

export const TRAFFIC_DEFAULTS = {
  sleepMs: 100,
  initialDelayMs: 0,
  maxAttempts: 10,
  errorPauseMs: 1000,
} as const

/**
 * `traffic [-sleep=100ms] [-initial-delay=0s] [-max-attempts=10] [-error-pause=1s] <host:port>`;
 * flags may also be given as `-flag value` or `--flag`. Env TRAFFIC_SLEEP, TRAFFIC_INITIAL_DELAY,
 * TRAFFIC_MAX_ATTEMPTS, TRAFFIC_ERROR_PAUSE and TRAFFIC_TARGET apply when the flag or argument
 * is absent.
 */
export function parseTrafficArgs(args: readonly string[], env: NodeJS.ProcessEnv): TrafficOptions {
  const flags = new Map<string, string>()
  const positional: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? ''
    const m = /^--?([a-z-]+)(?:=(.*))?$/.exec(arg)
    if (m?.[1] === undefined) {
      positional.push(arg)
      continue
    }
    const value = m[2] ?? args[++i]
    if (value === undefined) throw new Error(`flag -${m[1]} needs a value`)
    flags.set(m[1], value)
  }
  for (const name of flags.keys()) {
    if (!['sleep', 'initial-delay', 'max-attempts', 'error-pause'].includes(name))
      throw new Error(`unknown flag -${name}`)
  }
  const pick = (flag: string, envName: string): string | undefined =>
    flags.get(flag) ?? nonBlank(env[envName])
  const target = positional[0] ?? nonBlank(env['TRAFFIC_TARGET'])
  if (target === undefined)
    throw new Error('usage: traffic [-sleep=100ms] [-initial-delay=0s] <host:port>')
  const sleep = pick('sleep', 'TRAFFIC_SLEEP')
  const delay = pick('initial-delay', 'TRAFFIC_INITIAL_DELAY')
  const attempts = pick('max-attempts', 'TRAFFIC_MAX_ATTEMPTS')
  const errorPause = pick('error-pause', 'TRAFFIC_ERROR_PAUSE')
  const maxAttempts = attempts === undefined ? TRAFFIC_DEFAULTS.maxAttempts : Number(attempts)
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new Error(`-max-attempts must be a whole number ≥ 1; found ${String(attempts)}`)
  return {
    target: target.replace(/^https?:\/\//, '').replace(/\/+$/, ''),
    sleepMs: sleep === undefined ? TRAFFIC_DEFAULTS.sleepMs : parseGoDuration(sleep),
    initialDelayMs: delay === undefined ? TRAFFIC_DEFAULTS.initialDelayMs : parseGoDuration(delay),
    maxAttempts,
    errorPauseMs:
      errorPause === undefined ? TRAFFIC_DEFAULTS.errorPauseMs : parseGoDuration(errorPause),
  }
}

function nonBlank(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim()
}

export interface TrafficDeps {
  readonly http: HttpClient
  readonly stats: TrafficStats
  readonly log: (line: string) => void
}

/** Resolves when `signal` aborts; never rejects on HTTP or transport failures. */
export async function runTraffic(
  o: TrafficOptions,
  d: TrafficDeps,
  signal: AbortSignal,
): Promise<void> {
  const base = `http://${o.target}`
  // A function, so the compiler does not assume the signal is still as the loop last saw it.
  const stopped = (): boolean => signal.aborted
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (signal.aborted || ms <= 0) {
        resolve()
        return
      }
      const done = (): void => {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal.addEventListener('abort', done, { once: true })
    })

  /** One request: counted, logged, then the sleep. Undefined when it got no answer. */
  const send = async (
    method: string,
    path: string,
    fields?: Record<string, string>,
  ): Promise<{ status: number; location?: string } | undefined> => {
    const url = `${base}${path}`
    const started = performance.now()
    try {
      const res = await d.http.request(
        method,
        url,
        fields === undefined
          ? {}
          : {
              body: new URLSearchParams(fields).toString(),
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
            },
      )
      d.stats.status(res.status, `${method} ${path}`)
      d.log(`${(performance.now() - started).toFixed(1)}ms\t${res.status}\t${method}\t${url}`)
      await pause(o.sleepMs)
      const location = res.headers.location
      return location === undefined
        ? { status: res.status }
        : { status: res.status, location: new URL(location, base).pathname }
    } catch (err) {
      if (!(err instanceof TransportError)) throw err
      d.stats.transportError(`${method} ${path}`)
      d.log(`ERR\t${method}\t${url}\t${err.message}`)
      await pause(Math.max(o.sleepMs, o.errorPauseMs))
      return undefined
    }
  }

  /** Retries a form POST until it redirects with 303; the redirect path, or undefined on giving up. */
  const post303 = async (
    path: string,
    fields: Record<string, string>,
  ): Promise<string | undefined> => {
    for (let attempt = 1; attempt <= o.maxAttempts && !signal.aborted; attempt++) {
      const res = await send('POST', path, fields)
      if (res?.status === 303 && res.location !== undefined) return res.location
    }
    return undefined
  }

  /** GET /reset until 204; `limit` undefined keeps trying (at start-up, while the app comes up). */
  const reset = async (limit: number | undefined): Promise<boolean> => {
    for (let attempt = 1; (limit === undefined || attempt <= limit) && !signal.aborted; attempt++) {
      if ((await send('GET', '/reset'))?.status === 204) return true
    }
    return false
  }

  const giveUp = (step: string, location: string | undefined): 'abandoned' => {
    d.log(
      location === undefined
        ? `no 303 after ${o.maxAttempts} attempts at ${step}`
        : `${step} was refused (redirected to ${location})`,
    )
    return 'abandoned'
  }

  const iteration = async (): Promise<'done' | 'abandoned'> => {
    await send('GET', '/')
    const author = await post303('/authors', { first_name: 'Ernest', last_name: 'Cline' })
    if (author === undefined) {
      d.log(`no 303 after ${o.maxAttempts} attempts at POST /authors`)
      return 'abandoned'
    }
    if (author === '/') {
      // booksapp exits here; a restarted generator meets its own leftovers, so clean up instead.
      d.log('author "Ernest Cline" already exists (a previous loop was cut short): resetting')
      return 'abandoned'
    }
    const authorId = author.split('/').pop() ?? ''
    await send('GET', author)
    const book1 = await post303('/books', {
      title: 'Ready Player One',
      author_id: authorId,
      pages: '345',
    })
    if (book1 === undefined || book1 === '/') return giveUp('POST /books', book1)
    await send('GET', book1)
    const book2 = await post303('/books', {
      title: 'Ready Player Two',
      author_id: authorId,
      pages: '456',
    })
    if (book2 === undefined || book2 === '/') return giveUp('POST /books', book2)
    await send('GET', book2)
    const steps: [string, Record<string, string>][] = [
      [`${book2}/edit`, { title: 'Ready Player Three', author_id: authorId, pages: '567' }],
      [`${book2}/delete`, {}],
      [`${author}/delete`, {}],
    ]
    for (const [path, fields] of steps) {
      if ((await post303(path, fields)) === undefined) return giveUp(`POST ${path}`, undefined)
    }
    return 'done'
  }

  await pause(o.initialDelayMs)
  await reset(undefined)
  while (!signal.aborted) {
    const outcome = await iteration()
    if (stopped()) break
    if (outcome === 'done') {
      d.stats.iterationDone()
      continue
    }
    d.stats.iterationAbandoned()
    d.log('loop abandoned; resetting')
    await reset(o.maxAttempts)
  }
}
