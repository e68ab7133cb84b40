import { objectKey, type Canary } from '../../api/canary.js'
import type { CanaryEvent, EventSink } from '../../controller/ports.js'
import type { Logger } from '../../observability/logger.js'
import type { StateDir } from './state-dir.js'

export interface RecordedEvent extends CanaryEvent {
  readonly canary: string
  readonly time: string
}

const KEEP = 500

/** Events to `events.jsonl` in the state directory, a recent-events ring for the API, and the log. */
export class LocalEvents implements EventSink {
  readonly #state: StateDir
  readonly #log: Logger
  readonly #now: () => number
  readonly #recent: RecordedEvent[] = []
  readonly #listeners = new Set<(e: RecordedEvent) => void>()

  constructor(state: StateDir, log: Logger, now: () => number) {
    this.#state = state
    this.#log = log
    this.#now = now
  }

  async emit(canary: Canary, event: CanaryEvent): Promise<void> {
    const recorded: RecordedEvent = {
      ...event,
      canary: objectKey(canary.metadata),
      time: new Date(this.#now()).toISOString(),
    }
    this.#recent.push(recorded)
    if (this.#recent.length > KEEP) this.#recent.splice(0, this.#recent.length - KEEP)
    this.#log[event.type === 'Warning' ? 'warn' : 'info'](event.message, {
      canary: recorded.canary,
      reason: event.reason,
    })
    for (const l of this.#listeners) l(recorded)
    await this.#state.appendLine('events.jsonl', JSON.stringify(recorded))
  }

  /** Recent events, oldest first, optionally for one Canary. */
  recent(canary?: string): RecordedEvent[] {
    return canary === undefined
      ? [...this.#recent]
      : this.#recent.filter((e) => e.canary === canary)
  }

  subscribe(listener: (e: RecordedEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
