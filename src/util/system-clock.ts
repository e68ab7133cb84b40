import { setTimeout as delay } from 'node:timers/promises'
import type { Clock } from '../controller/ports.js'

/** The wall clock. `sleep` resolves early, without error, when its signal aborts. */
export const systemClock: Clock = {
  now: () => Date.now(),
  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return
    try {
      await delay(Math.max(0, ms), undefined, { signal })
    } catch (err) {
      if (!(err instanceof Error && err.name === 'AbortError')) throw err
    }
  },
}
