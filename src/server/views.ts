import { analysisOf, CanarySchema, objectKey } from '../api/canary.js'
import type { CanaryStatus, Measurement } from '../api/canary-status.js'
import { parseDuration } from '../util/duration.js'
import { plannedWeights } from '../controller/weights.js'
import { DEFAULTS } from '../controller/tick.js'

/** What the API, the CLI and the dashboard show of one Canary. */
export interface CanaryView {
  readonly key: string
  readonly name: string
  readonly namespace: string
  readonly target: string
  readonly phase: string
  /** Percent. */
  readonly weight: number
  readonly maxWeight: number
  /** The weights the rollout walks through, in percent. */
  readonly steps: readonly number[]
  readonly failedChecks: number
  readonly threshold: number
  readonly iterations: number
  readonly intervalMs: number
  readonly message: string
  readonly paused: boolean
  readonly stepStartedAt?: string | undefined
  readonly lastTransitionTime?: string | undefined
  readonly measurements: readonly Measurement[]
  /** Set when the spec is invalid: what is wrong. */
  readonly invalid?: string | undefined
  /** The target's pod template differs from what the Canary last applied: a rollout is coming. */
  readonly pending: boolean
  /** Idle (Initialized, Succeeded, Failed, Terminated) with no rollout pending. */
  readonly done: boolean
}

const IDLE = new Set(['Initialized', 'Succeeded', 'Failed', 'Terminated'])

/** `targetRevision` is the target's current pod-template hash, when the backend knows it. */
export function canaryView(key: string, raw: unknown, targetRevision?: string): CanaryView {
  const parsed = CanarySchema.safeParse(raw)
  const status: CanaryStatus = parsed.success ? (parsed.data.status ?? {}) : statusOf(raw)
  const [namespace = 'default', name = key] = key.split('/')
  const invalid = status.conditions?.find(
    (c) => c.type === 'Ready' && c.reason === 'InvalidSpec',
  )?.message
  const base = { key, name, namespace, ...statusPart(status, targetRevision) }
  if (!parsed.success) {
    return {
      ...base,
      target: '',
      maxWeight: 0,
      steps: [],
      threshold: 0,
      intervalMs: 0,
      invalid: invalid ?? 'invalid spec',
    }
  }
  const analysis = analysisOf(parsed.data.spec) ?? {}
  const steps = plannedWeights(analysis).map((w) => w / 10)
  const threshold = analysis.threshold ?? 0
  return {
    ...base,
    key: objectKey(parsed.data.metadata),
    target: parsed.data.spec.targetRef.name,
    maxWeight: steps.at(-1) ?? 100,
    steps,
    threshold: threshold > 0 ? threshold : DEFAULTS.threshold,
    intervalMs:
      analysis.interval === undefined ? DEFAULTS.intervalMs : parseDuration(analysis.interval),
    invalid,
  }
}

function statusPart(status: CanaryStatus, targetRevision: string | undefined) {
  const phase = status.phase ?? 'Initializing'
  const pending =
    targetRevision !== undefined &&
    status.lastAppliedSpec !== undefined &&
    targetRevision !== status.lastAppliedSpec &&
    targetRevision !== status.lastPromotedSpec
  return {
    phase,
    weight: status.canaryWeight ?? 0,
    failedChecks: status.failedChecks ?? 0,
    iterations: status.iterations ?? 0,
    message: status.message ?? '',
    paused: status.paused === true,
    stepStartedAt: status.stepStartedAt,
    lastTransitionTime: status.lastTransitionTime,
    measurements: status.measurements ?? [],
    pending,
    done: IDLE.has(phase) && !pending,
  }
}

function statusOf(raw: unknown): CanaryStatus {
  if (typeof raw === 'object' && raw !== null && 'status' in raw) {
    const s = (raw as { status?: unknown }).status
    if (typeof s === 'object' && s !== null) return s
  }
  return {}
}
