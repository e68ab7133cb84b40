import { errorMessage } from '../util/errors.js'
import { advance, type EngineDeps, type TickResult } from './advance.js'

export interface ControllerOptions {
  /** How often a Canary is looked at while it waits on the world (readiness, routes). */
  readonly pollMs: number
  /** Longest wait between retries after a failed tick (exponential backoff from pollMs). */
  readonly maxBackoffMs?: number
  /** Called after every tick, e.g. to push status to watchers. */
  readonly onTick?: (key: string, result: TickResult) => void
}

interface Job {
  readonly abort: AbortController
  /** Cuts the current sleep short. */
  wake: AbortController
  readonly done: Promise<void>
}

/**
 * Runs one loop per Canary: a tick, then a sleep until the state machine's next due time (or one
 * poll interval), cut short by `wake` when the Canary or its workload changes. One tick at a time
 * per Canary, so no step is ever taken twice concurrently.
 */
export class Controller {
  readonly #deps: EngineDeps
  readonly #options: ControllerOptions
  readonly #jobs = new Map<string, Job>()
  #closed = false

  constructor(deps: EngineDeps, options: ControllerOptions) {
    this.#deps = deps
    this.#options = options
  }

  /** The keys being run. */
  get keys(): string[] {
    return [...this.#jobs.keys()]
  }

  /** Starts running a Canary if it is not already; its first tick is immediate. */
  track(key: string): void {
    if (this.#closed || this.#jobs.has(key)) return
    const abort = new AbortController()
    const job: Job = { abort, wake: new AbortController(), done: Promise.resolve() }
    this.#jobs.set(key, job)
    ;(job as { done: Promise<void> }).done = this.#loop(key, job)
  }

  /** Ticks a Canary as soon as the current tick (if any) ends. */
  wake(key: string): void {
    const job = this.#jobs.get(key)
    if (job === undefined) this.track(key)
    else job.wake.abort()
  }

  /** Stops running a Canary; resolves once its current tick has ended. */
  async untrack(key: string): Promise<void> {
    const job = this.#jobs.get(key)
    if (job === undefined) return
    this.#jobs.delete(key)
    job.abort.abort()
    job.wake.abort()
    await job.done
  }

  async close(): Promise<void> {
    this.#closed = true
    await Promise.all(this.keys.map((k) => this.untrack(k)))
  }

  async #loop(key: string, job: Job): Promise<void> {
    const { clock, log } = this.#deps
    const { pollMs } = this.#options
    const maxBackoff = this.#options.maxBackoffMs ?? 60_000
    let failures = 0
    const stopped = (): boolean => job.abort.signal.aborted
    while (!stopped()) {
      let delay = pollMs
      job.wake = new AbortController()
      try {
        const result = await advance(this.#deps, key, job.abort.signal)
        failures = 0
        this.#options.onTick?.(key, result)
        if (result.kind === 'gone') {
          this.#jobs.delete(key)
          return
        }
        const wakeAt = result.kind === 'stepped' ? result.decision.wakeAt : undefined
        if (wakeAt !== undefined) delay = Math.min(pollMs, Math.max(0, wakeAt - clock.now()))
      } catch (err) {
        if (stopped()) return
        failures++
        delay = Math.min(maxBackoff, pollMs * 2 ** Math.min(failures, 10))
        log.warn('tick failed; retrying', {
          canary: key,
          error: errorMessage(err),
          retryInMs: delay,
        })
      }
      await clock.sleep(delay, AbortSignal.any([job.abort.signal, job.wake.signal]))
    }
  }
}
