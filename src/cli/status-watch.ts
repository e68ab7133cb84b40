import { setTimeout as sleep } from 'node:timers/promises'
import type { CanaryView } from '../server/views.js'
import { ErrorCodes, FledgeError } from '../util/errors.js'
import { ApiError, type ApiClient, type SseMessage } from './client.js'
import type { EventView } from './render/canary.js'
import { formatDuration } from './render/time.js'

/** A Canary's view and its recent events, as the watch keeps them. */
export interface Watched {
  readonly view: CanaryView
  readonly events: readonly EventView[]
}

export interface FollowOptions {
  /** Give up (exit code 1) after this long. */
  readonly timeoutMs?: number | undefined
  /** Polling period once the event stream has dropped. */
  readonly pollMs?: number
  /** Redraw period on a terminal, so the time in step moves. */
  readonly tickMs?: number
  /** A full re-read this often even while the stream is up, in case a change was not pushed. */
  readonly resyncMs?: number
  fetch(): Promise<Watched>
  /** `changed` is false for the periodic redraws of an unchanged view. */
  draw(view: CanaryView, events: readonly EventView[], changed: boolean): void
  note(text: string): void
}

/**
 * When a watch ends and with which exit code: it ends once the view is done (idle with no
 * rollout pending: a watch started right after a new revision keeps going while `pending` is
 * true), 0 for a promoted Canary, 1 for a failed or terminated one. An invalid Canary also ends
 * it with 1: it cannot progress until its manifest is fixed.
 */
export function watchVerdict(view: CanaryView): number | undefined {
  if (view.invalid !== undefined) return 1
  if (!view.done) return undefined
  return view.phase === 'Succeeded' || view.phase === 'Initialized' ? 0 : 1
}

const KEEP_EVENTS = 50

/**
 * Folds one server-sent event into the watched state: the new state, `refetch` when the message
 * concerns the Canary but does not carry a whole view, or undefined when it is about another one.
 */
export function applyMessage(
  state: Watched,
  message: SseMessage,
  key: string,
): Watched | 'refetch' | undefined {
  let data: unknown
  try {
    data = JSON.parse(message.data)
  } catch {
    return undefined
  }
  if (typeof data !== 'object' || data === null) return undefined
  if (message.event === 'event') {
    const e = data as Partial<EventView>
    if (e.canary !== key || typeof e.reason !== 'string' || typeof e.message !== 'string') {
      return undefined
    }
    return { view: state.view, events: [...state.events, e as EventView].slice(-KEEP_EVENTS) }
  }
  if (message.event !== 'canary') return undefined
  const v = data as Partial<CanaryView> & { metadata?: { name?: unknown; namespace?: unknown } }
  const meta = v.metadata
  const about =
    v.key === key ||
    (typeof meta?.name === 'string' &&
      `${typeof meta.namespace === 'string' ? meta.namespace : 'default'}/${meta.name}` === key)
  if (!about) return undefined
  if (v.key === key && typeof v.done === 'boolean' && typeof v.phase === 'string') {
    return { view: v as CanaryView, events: state.events }
  }
  return 'refetch'
}

/**
 * Follows one Canary until `watchVerdict` says it is over: the event stream first, polling
 * every `pollMs` if the stream is unavailable or drops (the controller restarting, say).
 * Resolves to the exit code.
 */
export async function followCanary(
  client: ApiClient,
  key: string,
  opts: FollowOptions,
): Promise<number> {
  const ac = new AbortController()
  const timeout = { hit: false }
  const timer =
    opts.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timeout.hit = true
          ac.abort()
        }, opts.timeoutMs)
  let state: Watched | undefined
  let last = ''
  const update = (next: Watched): number | undefined => {
    state = next
    const now = JSON.stringify(next)
    if (now !== last) {
      last = now
      opts.draw(next.view, next.events, true)
    }
    return watchVerdict(next.view)
  }
  const ticker = setInterval(() => {
    if (state !== undefined) opts.draw(state.view, state.events, false)
  }, opts.tickMs ?? 1000)
  // Set when a resync sees the end: it aborts the stream or the poll, which then return this.
  const ended: { code?: number; over?: boolean } = {}
  const resync = setInterval(() => {
    if (state === undefined || ended.code !== undefined) return
    opts.fetch().then(
      (next) => {
        if (ended.over === true) return // answered after the watch was over: nothing to draw
        const code = update(next)
        if (code === undefined || ended.code !== undefined) return
        ended.code = code
        ac.abort()
      },
      () => undefined, // the stream or the poll reports an unreachable controller
    )
  }, opts.resyncMs ?? 5000)
  try {
    const stream = await openStream(client, ac.signal, opts)
    const first = update(await opts.fetch())
    if (first !== undefined) return first
    if (stream !== undefined) {
      const code = await followStream(stream, key, opts, update, () => state)
      if (code !== undefined) return code
      if (ended.code !== undefined) return ended.code
      opts.note('fledge status: the event stream dropped; polling the controller instead')
    }
    return await poll(opts, update, ac.signal)
  } catch (err) {
    if (ended.code !== undefined) return ended.code
    if (timeout.hit) {
      opts.note(`fledge status: timed out after ${formatDuration(opts.timeoutMs ?? 0)}`)
      return 1
    }
    throw err
  } finally {
    clearTimeout(timer)
    clearInterval(ticker)
    clearInterval(resync)
    ended.over = true
    ac.abort()
  }
}

async function openStream(
  client: ApiClient,
  signal: AbortSignal,
  opts: Pick<FollowOptions, 'note'>,
): Promise<AsyncGenerator<SseMessage> | undefined> {
  try {
    return await client.openWatch(signal)
  } catch (err) {
    if (signal.aborted) throw err
    opts.note('fledge status: no event stream; polling the controller instead')
    return undefined
  }
}

/** Resolves to an exit code, or undefined when the stream ended or failed. */
async function followStream(
  stream: AsyncGenerator<SseMessage>,
  key: string,
  opts: FollowOptions,
  update: (next: Watched) => number | undefined,
  current: () => Watched | undefined,
): Promise<number | undefined> {
  try {
    for await (const message of stream) {
      const state = current()
      if (state === undefined) continue
      const next = applyMessage(state, message, key)
      if (next === undefined) continue
      const code = update(next === 'refetch' ? await opts.fetch() : next)
      if (code !== undefined) return code
    }
  } catch (err) {
    // A dropped connection falls back to polling; anything else (a 404 on refetch) is an error.
    if (err instanceof ApiError) throw err
    if (!(err instanceof FledgeError) && isAbort(err)) throw err
  }
  return undefined
}

async function poll(
  opts: FollowOptions,
  update: (next: Watched) => number | undefined,
  signal: AbortSignal,
): Promise<number> {
  let down = false
  for (;;) {
    await sleep(opts.pollMs ?? 500, undefined, { signal })
    let next: Watched
    try {
      next = await opts.fetch()
    } catch (err) {
      if (!(err instanceof FledgeError) || err.code !== ErrorCodes.API_UNAVAILABLE) throw err
      if (!down) opts.note(`fledge status: ${err.message}; still trying`)
      down = true
      continue
    }
    down = false
    const code = update(next)
    if (code !== undefined) return code
  }
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'RequestAbortedError')
}

/**
 * Follows every Canary (`fledge status --watch` without a name): `draw` on each change, until
 * `timeoutMs` passes (then 0) or forever. Polls every `pollMs` once the stream drops.
 */
export async function followAll<T>(
  client: ApiClient,
  opts: {
    readonly timeoutMs?: number | undefined
    readonly pollMs?: number
    fetch(): Promise<T>
    draw(state: T): void
    note(text: string): void
  },
): Promise<number> {
  const ac = new AbortController()
  const timer =
    opts.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          ac.abort()
        }, opts.timeoutMs)
  let last = ''
  const refresh = async (): Promise<void> => {
    const state = await opts.fetch()
    const now = JSON.stringify(state)
    if (now !== last) opts.draw(state)
    last = now
  }
  try {
    const stream = await openStream(client, ac.signal, opts)
    await refresh()
    if (stream !== undefined) {
      try {
        for await (const m of stream) if (m.event === 'canary') await refresh()
      } catch (err) {
        if (err instanceof ApiError || ac.signal.aborted) throw err
      }
      opts.note('fledge status: the event stream dropped; polling the controller instead')
    }
    for (;;) {
      await sleep(opts.pollMs ?? 500, undefined, { signal: ac.signal })
      try {
        await refresh()
      } catch (err) {
        if (!(err instanceof FledgeError) || err.code !== ErrorCodes.API_UNAVAILABLE) throw err
      }
    }
  } catch (err) {
    if (ac.signal.aborted) return 0
    throw err
  } finally {
    clearTimeout(timer)
    ac.abort()
  }
}
