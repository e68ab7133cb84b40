import type { Canary } from '../../src/api/canary.js'
import type { CanaryStatus, Measurement } from '../../src/api/canary-status.js'
import type { WebhookType } from '../../src/api/canary-spec.js'
import type {
  Alert,
  AlertSink,
  AnalysisRunner,
  CanaryEvent,
  CanaryStore,
  Clock,
  EventSink,
  Readiness,
  Revision,
  RouteWeights,
  TrafficProvider,
  WebhookCaller,
  WebhookPayload,
  WebhookResult,
  Workloads,
} from '../../src/controller/ports.js'
import { ErrorCodes, FledgeError } from '../../src/util/errors.js'

/** A clock that moves only when told to. */
export class FakeClock implements Clock {
  time: number
  constructor(time = Date.UTC(2026, 0, 5, 10, 0, 0)) {
    this.time = time
  }
  now(): number {
    return this.time
  }
  advance(ms: number): void {
    this.time += ms
  }
  async sleep(ms: number): Promise<void> {
    this.time += ms
    await Promise.resolve()
  }
}

/** Canaries by key, stored as plain objects and deep-copied in and out, as an API server would. */
export class FakeStore implements CanaryStore {
  readonly objects = new Map<string, Record<string, unknown>>()
  writes = 0
  /** Makes the next N status writes fail, as a crash between acting and writing would. */
  failNextWrites = 0

  put(obj: unknown): void {
    const o = structuredClone(obj) as { metadata: { name: string; namespace?: string } }
    this.objects.set(`${o.metadata.namespace ?? 'default'}/${o.metadata.name}`, o)
  }
  async get(key: string): Promise<unknown> {
    await Promise.resolve()
    const o = this.objects.get(key)
    return o === undefined ? undefined : structuredClone(o)
  }
  async patchStatus(key: string, status: CanaryStatus): Promise<void> {
    await Promise.resolve()
    if (this.failNextWrites > 0) {
      this.failNextWrites--
      throw new FledgeError(ErrorCodes.CONFLICT, 'simulated crash before the status write')
    }
    const o = this.objects.get(key)
    if (o === undefined) throw new FledgeError(ErrorCodes.NOT_FOUND, key)
    o['status'] = structuredClone(status)
    this.writes++
  }
  async removeFinalizer(key: string): Promise<void> {
    await Promise.resolve()
    this.objects.delete(key)
  }
  status(key: string): CanaryStatus {
    return this.objects.get(key)?.['status'] ?? {}
  }
  annotate(key: string, name: string, value: string): void {
    const o = this.objects.get(key) as
      { metadata: { annotations?: Record<string, string> } } | undefined
    if (o === undefined) throw new Error(key)
    o.metadata.annotations = { ...o.metadata.annotations, [name]: value }
  }
  setSpec(key: string, patch: Record<string, unknown>): void {
    const o = this.objects.get(key) as { spec: Record<string, unknown> } | undefined
    if (o === undefined) throw new Error(key)
    Object.assign(o.spec, patch)
  }
}

/** A workload world: the target's template hash, replica counts and readiness, all settable. */
export class FakeWorkloads implements Workloads {
  targetHash = 'v1'
  configs: Record<string, string> = {}
  primaryHash: string | undefined
  canaryReplicas = 1
  primaryExists = false
  canaryReady: (() => Readiness) | undefined
  primaryReady: (() => Readiness) | undefined
  readonly log: string[] = []

  async revision(): Promise<Revision> {
    await Promise.resolve()
    return { specHash: this.targetHash, configs: { ...this.configs } }
  }
  async initialize(): Promise<void> {
    await Promise.resolve()
    if (!this.primaryExists) {
      this.primaryExists = true
      this.primaryHash = this.targetHash
      this.log.push(`initialize ${this.targetHash}`)
    }
  }
  async primaryReadiness(): Promise<Readiness> {
    await Promise.resolve()
    if (!this.primaryExists) return { ready: false, message: 'primary does not exist' }
    return this.primaryReady?.() ?? { ready: true, message: 'ready' }
  }
  async canaryReadiness(): Promise<Readiness> {
    await Promise.resolve()
    if (this.canaryReplicas === 0) return { ready: false, message: 'scaled to zero' }
    return this.canaryReady?.() ?? { ready: true, message: 'ready' }
  }
  async scaleUpCanary(): Promise<void> {
    await Promise.resolve()
    if (this.canaryReplicas === 0) this.log.push('scaleUp')
    this.canaryReplicas = 1
  }
  async scaleDownCanary(): Promise<void> {
    await Promise.resolve()
    if (this.canaryReplicas !== 0) this.log.push('scaleDown')
    this.canaryReplicas = 0
  }
  async promote(): Promise<void> {
    await Promise.resolve()
    if (this.primaryHash !== this.targetHash) this.log.push(`promote ${this.targetHash}`)
    this.primaryHash = this.targetHash
  }
  async revertTarget(): Promise<void> {
    await Promise.resolve()
    this.canaryReplicas = 1
    this.log.push('revertTarget')
  }
}

/** Routes as a data plane holds them; `applied` lags `weights` when `lag` is set. */
export class FakeTraffic implements TrafficProvider {
  readonly name = 'fake'
  weights: RouteWeights = { primary: 1000, canary: 0, mirror: false }
  match = false
  applied = true
  finalized = false
  /** Every distinct write, in order: `primary/canary`, with `m` for mirror and `ab` for match. */
  readonly history: string[] = []

  async reconcile(): Promise<void> {
    await Promise.resolve()
  }
  async setRoutes(_c: Canary, w: RouteWeights): Promise<void> {
    await Promise.resolve()
    const entry = `${w.primary}/${w.canary}${w.mirror ? ' m' : ''}${w.match === true ? ' ab' : ''}`
    if (this.history.at(-1) !== entry) this.history.push(entry)
    this.weights = w
    this.match = w.match === true
  }
  async getRoutes(): Promise<RouteWeights> {
    await Promise.resolve()
    return this.weights
  }
  async verifyRoutes(_c: Canary, w: RouteWeights): Promise<boolean> {
    await Promise.resolve()
    return this.applied && w.primary === this.weights.primary && w.canary === this.weights.canary
  }
  async finalize(): Promise<void> {
    await Promise.resolve()
    this.finalized = true
  }
}

export type Script = (weight: number, now: number) => Measurement['outcome'][]

/** Analysis answering from a script: outcomes per metric, given the weight. */
export class FakeAnalysis implements AnalysisRunner {
  script: Script = () => ['Successful']
  online = true
  readonly runs: number[] = []

  async run(canary: Canary, ctx: { weight: number; now: number }): Promise<Measurement[]> {
    await Promise.resolve()
    this.runs.push(ctx.weight)
    const metrics = canary.spec.analysis?.metrics ?? []
    const outcomes = this.script(ctx.weight, ctx.now)
    return metrics.map((m, i) => ({
      metric: m.name,
      outcome: outcomes[i] ?? outcomes[0] ?? 'Successful',
      value: 99,
      message: `${m.name} ${outcomes[i] ?? outcomes[0] ?? 'Successful'}`,
      weight: ctx.weight,
      at: new Date(ctx.now).toISOString(),
    }))
  }
  async assertOnline(): Promise<void> {
    await Promise.resolve()
    if (!this.online)
      throw new FledgeError(ErrorCodes.BACKEND_UNAVAILABLE, 'prometheus unreachable')
  }
}

export interface HookCall {
  readonly type: WebhookType
  readonly name: string
  readonly payload: WebhookPayload
}

/** Webhooks answering 200 unless told otherwise, by hook name. */
export class FakeWebhooks implements WebhookCaller {
  readonly calls: HookCall[] = []
  status = new Map<string, number>()

  async call(
    hook: { name: string; type: WebhookType },
    payload: WebhookPayload,
  ): Promise<WebhookResult> {
    await Promise.resolve()
    this.calls.push({ type: hook.type, name: hook.name, payload })
    const status = this.status.get(hook.name) ?? 200
    const ok = status >= 200 && status < 300
    return { name: hook.name, ok, status, message: ok ? 'ok' : `status ${status}` }
  }
  count(type: WebhookType): number {
    return this.calls.filter((c) => c.type === type).length
  }
}

export class FakeEvents implements EventSink {
  readonly events: CanaryEvent[] = []
  async emit(_c: Canary, e: CanaryEvent): Promise<void> {
    await Promise.resolve()
    this.events.push(e)
  }
  reasons(): string[] {
    return this.events.map((e) => e.reason)
  }
}

export class FakeAlerts implements AlertSink {
  readonly alerts: Alert[] = []
  async send(_c: Canary, a: Alert): Promise<void> {
    await Promise.resolve()
    this.alerts.push(a)
  }
}
