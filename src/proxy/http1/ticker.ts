import { performance } from 'node:perf_hooks'

/** Something with deadlines that the ticker checks. */
export interface Timed {
  /** Called every tick with the current time (performance.now() ms). */
  tick(now: number): void
}

/**
 * One coarse timer for every connection and exchange of a listener or pool, instead of a
 * setTimeout per request: arming a deadline is a field write, and one sweep per tick checks them.
 * Deadlines fire up to one tick late, which is fine for timeouts measured in seconds.
 */
export class Ticker {
  private readonly members = new Set<Timed>()
  private timer: NodeJS.Timeout | null = null
  private readonly intervalMs: number

  constructor(intervalMs = 100) {
    this.intervalMs = intervalMs
  }

  add(t: Timed): void {
    this.members.add(t)
    if (this.timer === null) {
      this.timer = setInterval(() => {
        this.sweep()
      }, this.intervalMs)
      this.timer.unref()
    }
  }

  delete(t: Timed): void {
    this.members.delete(t)
  }

  /** Checks every member now (also used by tests). */
  sweep(): void {
    const now = performance.now()
    for (const m of this.members) m.tick(now)
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    this.members.clear()
  }
}

export const now = (): number => performance.now()
