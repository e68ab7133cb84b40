import { analysisOf, type Canary } from '../api/canary.js'
import type { Analysis, CanarySpec, Webhook, WebhookType } from '../api/canary-spec.js'
import type { CanaryStatus, Measurement, Phase } from '../api/canary-status.js'
import type { Milli } from '../api/weight.js'
import { percentToMilli } from '../api/weight.js'
import { parseDuration } from '../util/duration.js'
import { NeedObservation, type Action, type Need, type Observation } from './decision.js'
import type { Alert, CanaryEvent, WebhookResult } from './ports.js'

/** Defaults, as Flagger has them, plus fledge's own for what Flagger lacks. */
export const DEFAULTS = {
  intervalMs: 60_000,
  threshold: 1,
  progressDeadlineSeconds: 600,
  /** Consecutive no-data ticks that count as one failed check. */
  inconclusiveLimit: 5,
  /** Consecutive metrics-backend-error ticks that count as one failed check. */
  errorLimit: 5,
  /** Measurements kept on the status, per metric. */
  measurementsPerMetric: 5,
} as const

export type Strategy = 'canary' | 'ab' | 'bluegreen'

/**
 * One tick's working state: the Canary as read, the observation so far, a draft of the next status
 * and the actions decided. Pure: it reads time only from the observation.
 */
export class Tick {
  readonly canary: Canary
  readonly spec: CanarySpec
  readonly analysis: Analysis
  readonly obs: Observation
  readonly now: number
  readonly status: CanaryStatus
  readonly actions: Action[] = []
  wakeAt: number | undefined

  constructor(canary: Canary, obs: Observation) {
    this.canary = canary
    this.spec = canary.spec
    this.analysis = analysisOf(canary.spec) ?? {}
    this.obs = obs
    this.now = obs.now
    this.status = { ...(canary.status ?? {}) }
  }

  get iso(): string {
    return new Date(this.now).toISOString()
  }

  get phase(): Phase | undefined {
    return this.status.phase
  }

  get intervalMs(): number {
    return this.analysis.interval === undefined
      ? DEFAULTS.intervalMs
      : parseDuration(this.analysis.interval)
  }

  get threshold(): number {
    const t = this.analysis.threshold ?? 0
    return t > 0 ? t : DEFAULTS.threshold
  }

  get progressDeadlineMs(): number {
    return (this.spec.progressDeadlineSeconds ?? DEFAULTS.progressDeadlineSeconds) * 1000
  }

  get inconclusiveLimit(): number {
    return this.analysis.inconclusiveLimit ?? DEFAULTS.inconclusiveLimit
  }

  get errorLimit(): number {
    return this.analysis.errorLimit ?? DEFAULTS.errorLimit
  }

  /** Flagger: analysis is skipped when asked, or when there is none. */
  get skipAnalysis(): boolean {
    return this.spec.skipAnalysis === true || analysisOf(this.spec) === undefined
  }

  get strategy(): Strategy {
    const iterations = this.analysis.iterations ?? 0
    if (iterations > 0 && (this.analysis.match?.length ?? 0) > 0) return 'ab'
    if (iterations > 0) return 'bluegreen'
    return 'canary'
  }

  /** The canary weight the engine last wrote, in milli-units. */
  get weight(): Milli {
    return percentToMilli(this.status.canaryWeight ?? 0)
  }

  set weight(milli: Milli) {
    this.status.canaryWeight = milli / 10
  }

  /** Returns an observed value, or stops this pass of the state machine to ask for it. */
  need<T>(value: T | undefined, need: Need): T {
    if (value === undefined) throw new NeedObservation(need)
    return value
  }

  hooksOf(type: WebhookType): Webhook[] {
    return (this.analysis.webhooks ?? []).filter(
      (h) => (h.type === undefined || h.type === '' ? 'rollout' : h.type) === type,
    )
  }

  /** Results of every hook of a type, calling them if not yet called; [] when none is configured. */
  hookResults(type: WebhookType): readonly WebhookResult[] {
    if (this.hooksOf(type).length === 0) return []
    return this.need(this.obs.hooks?.[type], {
      kind: 'hooks',
      type,
      phase: this.phase ?? 'Initializing',
    })
  }

  /** A gate is open when every hook of its type answered 2xx (or there is none). */
  gateOpen(type: WebhookType): { open: boolean; message: string } {
    const failed = this.hookResults(type).filter((r) => !r.ok)
    return {
      open: failed.length === 0,
      message: failed.map((r) => `${type} hook ${r.name}: ${r.message}`).join('; '),
    }
  }

  /** True when the current interval is over: the next step, gate check or analysis is due. */
  get due(): boolean {
    const started = this.status.stepStartedAt
    return started === undefined || this.now >= Date.parse(started) + this.intervalMs
  }

  /** Starts a new interval now; the next due tick is one interval later. */
  startInterval(): void {
    this.status.stepStartedAt = this.iso
    this.wakeAt = this.now + this.intervalMs
  }

  /** Sleeps until the current interval ends. */
  waitForInterval(): void {
    const started = this.status.stepStartedAt
    this.wakeAt = started === undefined ? this.now : Date.parse(started) + this.intervalMs
  }

  /** Marks the start of a wait on the world (readiness, routes); kept across ticks. */
  startWaiting(message: string): void {
    this.status.waitingSince ??= this.iso
    this.status.message = message
  }

  stopWaiting(): void {
    delete this.status.waitingSince
  }

  /** The wait began longer ago than progressDeadlineSeconds. */
  get deadlinePassed(): boolean {
    const since = this.status.waitingSince
    return since !== undefined && this.now - Date.parse(since) > this.progressDeadlineMs
  }

  setPhase(phase: Phase): void {
    this.status.phase = phase
  }

  act(action: Action): void {
    this.actions.push(action)
  }

  event(type: CanaryEvent['type'], reason: string, message: string): void {
    this.act({ kind: 'event', event: { type, reason, message } })
  }

  alert(severity: Alert['severity'], reason: string, message: string): void {
    this.act({ kind: 'alert', alert: { severity, reason, message } })
  }

  /** Keeps the last few measurements of each metric on the status. */
  recordMeasurements(list: readonly Measurement[]): void {
    const all = [...(this.status.measurements ?? []), ...list]
    const kept: Measurement[] = []
    const perMetric = new Map<string, number>()
    for (let i = all.length - 1; i >= 0; i--) {
      const m = all[i]
      if (m === undefined) continue
      const n = perMetric.get(m.metric) ?? 0
      if (n >= DEFAULTS.measurementsPerMetric) continue
      perMetric.set(m.metric, n + 1)
      kept.unshift(m)
    }
    this.status.measurements = kept
  }
}
