/**
 * A retry budget in the manner of Finagle's and tower's: every original request deposits, every
 * retry withdraws, and deposits are remembered for `ttl`. Retries may add `ratio` of the request
 * load, plus `minPerSecond` that are always allowed. Pure: time is passed in.
 */

export interface BudgetOptions {
  readonly ratio: number
  readonly minPerSecond: number
  readonly ttlMs: number
}

const SLOTS = 10

export class RetryBudget {
  readonly #opts: BudgetOptions
  readonly #slotMs: number
  readonly #deposits = new Array<number>(SLOTS).fill(0)
  readonly #withdrawals = new Array<number>(SLOTS).fill(0)
  #slot = 0
  #slotStart: number

  constructor(opts: BudgetOptions, now: number) {
    this.#opts = opts
    this.#slotMs = Math.max(1, opts.ttlMs / SLOTS)
    this.#slotStart = now
  }

  /** An original request was sent. */
  deposit(now: number): void {
    this.#advance(now)
    this.#deposits[this.#slot] = (this.#deposits[this.#slot] ?? 0) + 1
  }

  /** Asks for one retry; true (and spent) when the budget allows it. */
  withdraw(now: number): boolean {
    if (this.balance(now) < 1) return false
    this.#withdrawals[this.#slot] = (this.#withdrawals[this.#slot] ?? 0) + 1
    return true
  }

  /** Retries that could be spent now. */
  balance(now: number): number {
    this.#advance(now)
    const deposits = this.#deposits.reduce((a, b) => a + b, 0)
    const withdrawals = this.#withdrawals.reduce((a, b) => a + b, 0)
    const reserve = (this.#opts.minPerSecond * this.#opts.ttlMs) / 1000
    return reserve + deposits * this.#opts.ratio - withdrawals
  }

  #advance(now: number): void {
    let steps = Math.floor((now - this.#slotStart) / this.#slotMs)
    if (steps <= 0) return
    this.#slotStart += steps * this.#slotMs
    if (steps > SLOTS) steps = SLOTS
    for (let i = 0; i < steps; i++) {
      this.#slot = (this.#slot + 1) % SLOTS
      this.#deposits[this.#slot] = 0
      this.#withdrawals[this.#slot] = 0
    }
  }
}
