import type { Canary } from '../../src/api/canary.js'
import type { CanaryStatus, Phase } from '../../src/api/canary-status.js'
import { advance, type EngineDeps, type TickResult } from '../../src/controller/advance.js'
import { COMMAND_ANNOTATION } from '../../src/controller/commands.js'
import { silentLogger } from '../../src/observability/logger.js'
import {
  FakeAlerts,
  FakeAnalysis,
  FakeClock,
  FakeEvents,
  FakeStore,
  FakeTraffic,
  FakeWebhooks,
  FakeWorkloads,
} from '../fakes/engine-fakes.js'

export const KEY = 'test/podinfo'
/** How often the rig re-ticks while the engine waits on the world. */
export const POLL_MS = 5_000

/** A whole fake world around one Canary, driven tick by tick. */
export class Rig {
  readonly clock = new FakeClock()
  readonly store = new FakeStore()
  readonly workloads = new FakeWorkloads()
  readonly traffic = new FakeTraffic()
  readonly analysis = new FakeAnalysis()
  readonly webhooks = new FakeWebhooks()
  readonly events = new FakeEvents()
  readonly alerts = new FakeAlerts()
  readonly phases: Phase[] = []
  ticks = 0
  last: TickResult | undefined

  constructor(canary: Canary) {
    this.store.put(canary)
  }

  /** Fresh shell objects each call: nothing survives between ticks but the fake world. */
  deps(): EngineDeps {
    return {
      store: this.store,
      workloads: this.workloads,
      traffic: () => this.traffic,
      analysis: this.analysis,
      webhooks: this.webhooks,
      events: this.events,
      alerts: this.alerts,
      clock: this.clock,
      log: silentLogger,
    }
  }

  get status(): CanaryStatus {
    return this.store.status(KEY)
  }

  get phase(): Phase | undefined {
    return this.status.phase
  }

  async tick(): Promise<TickResult> {
    this.ticks++
    const result = await advance(this.deps(), KEY, AbortSignal.timeout(5_000))
    this.last = result
    const phase = this.phase
    if (phase !== undefined && this.phases.at(-1) !== phase) this.phases.push(phase)
    return result
  }

  /** Sleeps until the last tick's wake-up (or one poll), then ticks: what the scheduler does. */
  async step(n = 1): Promise<void> {
    for (let i = 0; i < n; i++) {
      if (this.last !== undefined) this.sleepAfter(this.last)
      await this.tick()
    }
  }

  /** Ticks, moving the clock to the next wake-up (or one poll later), until `until` holds. */
  async run(until: (rig: Rig) => boolean, maxTicks = 200): Promise<void> {
    for (let i = 0; i < maxTicks; i++) {
      await this.step()
      if (until(this)) return
    }
    throw new Error(
      `not reached in ${maxTicks} ticks; phase ${this.phase ?? '-'}, status ${JSON.stringify(this.status)}`,
    )
  }

  /** Runs until the Canary is idle in one of the given phases. */
  async runTo(...phases: Phase[]): Promise<void> {
    await this.run((r) => r.phase !== undefined && phases.includes(r.phase))
  }

  sleepAfter(r: TickResult): void {
    const wake = r.kind === 'stepped' ? r.decision.wakeAt : undefined
    const now = this.clock.now()
    this.clock.time =
      wake !== undefined && wake > now ? Math.min(wake, now + POLL_MS * 100) : now + POLL_MS
  }

  command(verb: string): void {
    this.store.annotate(KEY, COMMAND_ANNOTATION, `${verb}@${this.clock.now()}-${this.ticks}`)
  }

  /** Initialises the Canary, then bumps the target to `hash` to start a rollout. */
  async initializeAndBump(hash = 'v2'): Promise<void> {
    await this.runTo('Initialized')
    this.workloads.targetHash = hash
  }
}
