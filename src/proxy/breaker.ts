/**
 * A per-endpoint circuit breaker by consecutive failures, as Linkerd's `consecutive` failure
 * accrual: after N failures in a row the endpoint is shut out for a penalty that doubles with each
 * failed probe (with jitter), up to a maximum; when the penalty ends exactly one real request is let
 * through as a probe, and its outcome closes the breaker or opens it again. Pure: time and
 * randomness are passed in.
 */

export interface BreakerOptions {
  readonly failures: number
  readonly minPenaltyMs: number
  readonly maxPenaltyMs: number
  /** 0.5 adds up to 50% to each penalty, so endpoints tripped together do not return together. */
  readonly jitter: number
}

export type BreakerState = 'closed' | 'open' | 'probing'

/** What a request may do with this endpoint. */
export type Admission = 'ok' | 'probe' | 'denied'

export class Breaker {
  readonly #opts: BreakerOptions
  #state: BreakerState = 'closed'
  #failures = 0
  #trips = 0
  #openUntil = 0

  constructor(opts: BreakerOptions) {
    this.#opts = opts
  }

  get state(): BreakerState {
    return this.#state
  }

  /** When an open breaker will let a probe through (ms, same clock as `now`). */
  get openUntil(): number {
    return this.#openUntil
  }

  /** True when a request could be admitted now; does not change state. */
  available(now: number): boolean {
    if (this.#state === 'closed') return true
    return this.#state === 'open' && now >= this.#openUntil
  }

  /** Admits a request, turning an expired open breaker into a single probe. */
  admit(now: number): Admission {
    if (this.#state === 'closed') return 'ok'
    if (this.#state === 'open' && now >= this.#openUntil) {
      this.#state = 'probing'
      return 'probe'
    }
    return 'denied'
  }

  success(): void {
    this.#state = 'closed'
    this.#failures = 0
    this.#trips = 0
  }

  failure(now: number, rand: number): void {
    if (this.#state === 'probing') {
      this.#open(now, rand)
      return
    }
    if (this.#state === 'open') return
    this.#failures++
    if (this.#failures >= this.#opts.failures) this.#open(now, rand)
  }

  /** A probe that ended without an outcome (the client went away): let the next request probe. */
  cancelProbe(now: number): void {
    if (this.#state !== 'probing') return
    this.#state = 'open'
    this.#openUntil = now
  }

  #open(now: number, rand: number): void {
    const base = Math.min(
      this.#opts.maxPenaltyMs,
      this.#opts.minPenaltyMs * 2 ** Math.min(this.#trips, 30),
    )
    this.#trips++
    this.#state = 'open'
    this.#failures = 0
    this.#openUntil = now + base * (1 + this.#opts.jitter * rand)
  }
}
