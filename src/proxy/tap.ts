/**
 * Live request events for `fledge tap`: listeners subscribe with a filter and get one event per
 * finished request. Nothing is built when nobody listens, so tapping costs nothing otherwise.
 */

export interface TapEvent {
  readonly id: number
  /** Epoch milliseconds when the request arrived. */
  readonly ts: number
  readonly protocol: 'http/1.1' | 'h2'
  readonly method: string
  readonly authority: string
  readonly path: string
  readonly service: string
  readonly backend: string
  readonly endpoint: string
  readonly status: number | undefined
  readonly grpcStatus: number | undefined
  readonly classification: 'success' | 'failure'
  readonly error: string | undefined
  /** Time to first byte, ms. */
  readonly latencyMs: number | undefined
  /** Until the response ended, ms. */
  readonly durationMs: number
  readonly attempts: number
}

export interface TapFilter {
  /** Only this service (as routed, or as the authority named it). */
  readonly service?: string | undefined
  readonly backend?: string | undefined
  readonly method?: string | undefined
  /** Path prefix. */
  readonly path?: string | undefined
}

type Listener = (e: TapEvent) => void

export class TapBus {
  readonly #listeners = new Set<{ filter: TapFilter; fn: Listener }>()
  #nextId = 1

  get active(): boolean {
    return this.#listeners.size > 0
  }

  nextId(): number {
    return this.#nextId++
  }

  subscribe(filter: TapFilter, fn: Listener): () => void {
    const entry = { filter, fn }
    this.#listeners.add(entry)
    return () => this.#listeners.delete(entry)
  }

  publish(e: TapEvent): void {
    for (const { filter, fn } of this.#listeners) if (matches(filter, e)) fn(e)
  }
}

export function matches(f: TapFilter, e: TapEvent): boolean {
  if (f.service !== undefined && f.service !== e.service) return false
  if (f.backend !== undefined && f.backend !== e.backend) return false
  if (f.method !== undefined && f.method.toUpperCase() !== e.method) return false
  if (f.path !== undefined && !e.path.startsWith(f.path)) return false
  return true
}
