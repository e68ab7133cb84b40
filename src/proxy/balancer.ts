/**
 * Endpoint selection: power of two choices over peak-EWMA load, as Linkerd (and Finagle before it)
 * balances. Load = RTT estimate × (requests in flight + 1) ÷ weight. The estimate jumps up to any
 * slower response at once (peak) and decays toward faster ones with time constant `decay`. Pure:
 * time and randomness are passed in.
 */
import { Breaker, type Admission, type BreakerOptions } from './breaker.js'
import type { Endpoint } from './disco.js'

export interface BalancerOptions {
  readonly defaultRttMs: number
  readonly decayMs: number
}

/** Per-endpoint state that outlives routing tables: load estimate and breaker. */
export class EndpointState {
  readonly key: string
  readonly ip: string
  readonly port: number
  weight: number
  readonly breaker: Breaker
  pending = 0
  #rtt: number
  #stamp: number
  readonly #decayMs: number

  constructor(ep: Endpoint, opts: BalancerOptions, breaker: BreakerOptions, now: number) {
    this.key = endpointKey(ep)
    this.ip = ep.ip
    this.port = ep.port
    this.weight = ep.weight
    this.breaker = new Breaker(breaker)
    this.#rtt = opts.defaultRttMs
    this.#stamp = now
    this.#decayMs = opts.decayMs
  }

  /** The current RTT estimate, decayed to `now`. */
  rtt(now: number): number {
    this.#decay(now, 0)
    return this.#rtt
  }

  cost(now: number): number {
    return (this.rtt(now) * (this.pending + 1)) / this.weight
  }

  /** Records one response's time to first byte. */
  observe(rttMs: number, now: number): void {
    if (rttMs > this.#rtt) {
      this.#rtt = rttMs
      this.#stamp = now
      return
    }
    this.#decay(now, rttMs)
  }

  #decay(now: number, sample: number): void {
    const dt = now - this.#stamp
    if (dt <= 0 && sample === 0) return
    const w = Math.exp(-Math.max(0, dt) / this.#decayMs)
    this.#rtt = this.#rtt * w + sample * (1 - w)
    this.#stamp = now
  }
}

export function endpointKey(ep: { ip: string; port: number }): string {
  return ep.ip.includes(':') ? `[${ep.ip}]:${ep.port}` : `${ep.ip}:${ep.port}`
}

export interface Pick {
  readonly endpoint: EndpointState
  readonly admission: Exclude<Admission, 'denied'>
}

/**
 * Picks an endpoint by P2C: two distinct random candidates among those whose breaker admits
 * requests, the one with the lower cost wins. `rand` returns uniform numbers in [0, 1).
 * Returns undefined when no endpoint is available (the caller fails fast with 503).
 */
export function pickEndpoint(
  endpoints: readonly EndpointState[],
  now: number,
  rand: () => number,
  exclude?: EndpointState,
): Pick | undefined {
  // The common single-endpoint case, without allocating.
  if (endpoints.length === 1 && exclude === undefined) {
    const only = endpoints[0]
    if (only === undefined) return undefined
    const admission = only.breaker.admit(now)
    return admission === 'denied' ? undefined : { endpoint: only, admission }
  }
  const ready: EndpointState[] = []
  for (const e of endpoints) if (e !== exclude && e.breaker.available(now)) ready.push(e)
  // A retry prefers another endpoint, but takes the same one rather than none.
  if (ready.length === 0 && exclude?.breaker.available(now) === true) ready.push(exclude)
  let chosen: EndpointState | undefined
  if (ready.length === 1) chosen = ready[0]
  else if (ready.length > 1) {
    const i = Math.floor(rand() * ready.length)
    let j = Math.floor(rand() * (ready.length - 1))
    if (j >= i) j++
    const a = ready[i]
    const b = ready[j]
    if (a !== undefined && b !== undefined) chosen = a.cost(now) <= b.cost(now) ? a : b
  }
  if (chosen === undefined) return undefined
  const admission = chosen.breaker.admit(now)
  if (admission === 'denied') return undefined
  return { endpoint: chosen, admission }
}

/** True when some endpoint could take a request now. */
export function anyAvailable(endpoints: readonly EndpointState[], now: number): boolean {
  for (const e of endpoints) if (e.breaker.available(now)) return true
  return false
}
