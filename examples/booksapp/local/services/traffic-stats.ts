/** The traffic generator's counters, served as `GET /stats`. */

/** The JSON `GET /stats` answers. */
export interface TrafficSnapshot {
  /** Requests sent (each retry counts). */
  readonly total: number
  /** Requests answered 5xx or never answered (refused, reset, timed out). */
  readonly failed: number
  /** Answers per HTTP status, e.g. `{"200": 40, "303": 50, "204": 1}`. */
  readonly byStatus: Readonly<Record<string, number>>
  /** Requests that got no HTTP answer; also counted in `failed`. */
  readonly transportErrors: number
  /** Loops of the scenario completed end to end. */
  readonly iterations: number
  /** Loops given up after a step ran out of attempts. */
  readonly abandoned: number
  /** When counting started (process start or the last reset), ISO 8601. */
  readonly since: string
  /** The most recent failure, for a quick look. */
  readonly lastFailure?: string
}

export class TrafficStats {
  private total = 0
  private failed = 0
  private transportErrors = 0
  private iterations = 0
  private abandoned = 0
  private byStatus: Record<string, number> = {}
  private since: Date
  private lastFailure: string | undefined
  private readonly now: () => Date

  constructor(now: () => Date = () => new Date()) {
    this.now = now
    this.since = now()
  }

  status(code: number, what: string): void {
    this.total++
    this.byStatus[String(code)] = (this.byStatus[String(code)] ?? 0) + 1
    if (code >= 500) {
      this.failed++
      this.lastFailure = `${code} ${what}`
    }
  }

  transportError(what: string): void {
    this.total++
    this.failed++
    this.transportErrors++
    this.lastFailure = `ERR ${what}`
  }

  iterationDone(): void {
    this.iterations++
  }

  iterationAbandoned(): void {
    this.abandoned++
  }

  reset(): void {
    this.total = this.failed = this.transportErrors = this.iterations = this.abandoned = 0
    this.byStatus = {}
    this.lastFailure = undefined
    this.since = this.now()
  }

  snapshot(): TrafficSnapshot {
    return {
      total: this.total,
      failed: this.failed,
      byStatus: { ...this.byStatus },
      transportErrors: this.transportErrors,
      iterations: this.iterations,
      abandoned: this.abandoned,
      since: this.since.toISOString(),
      ...(this.lastFailure === undefined ? {} : { lastFailure: this.lastFailure }),
    }
  }
}
