import type { Canary } from '../api/canary.js'
import type { Measurement } from '../api/canary-status.js'
import type { WebhookType } from '../api/canary-spec.js'
import type { Milli } from '../api/weight.js'

/**
 * The ports the engine's imperative shell talks through. Every async method takes an AbortSignal.
 * Implementations live in router/, analysis/ and platform/; in-memory fakes in test/fakes.
 */

/** Weights of one canary's route, in milli-units; primary + canary = 1000. */
export interface RouteWeights {
  readonly primary: Milli
  readonly canary: Milli
  /** Traffic is mirrored to the canary (the canary's weight is then 0). */
  readonly mirror: boolean
  /** A/B: only requests matching the Canary's `analysis.match` take the canary's weight. */
  readonly match?: boolean
}

/** Moves traffic between the primary and the canary (SMI, Gateway API, the embedded proxy, ...). */
export interface TrafficProvider {
  readonly name: string
  /** Ensures the routing objects exist, sending everything to the primary if they are new. */
  reconcile(canary: Canary, signal: AbortSignal): Promise<void>
  /** Writes new weights (with `match`, only matching requests take the canary's share). */
  setRoutes(canary: Canary, weights: RouteWeights, signal: AbortSignal): Promise<void>
  /** Reads the weights in force: the routing object is the source of truth. */
  getRoutes(canary: Canary, signal: AbortSignal): Promise<RouteWeights>
  /** Has the data plane really applied these weights? Providers that cannot tell return true. */
  verifyRoutes(canary: Canary, weights: RouteWeights, signal: AbortSignal): Promise<boolean>
  /** Reverts routing on deletion: everything to the target (the user's workload). */
  finalize(canary: Canary, signal: AbortSignal): Promise<void>
}

/** Readiness of one side of a canary. */
export interface Readiness {
  readonly ready: boolean
  /** What is missing, for events and status ("1/3 replicas available"). */
  readonly message: string
  /** The platform already knows it will not become ready (e.g. the image does not exist). */
  readonly failed?: boolean
}

/** What identifies the revision of a workload: its pod-template hash and tracked configs. */
export interface Revision {
  readonly specHash: string
  /** `configmap/<name>` or `secret/<name>` to checksum. */
  readonly configs: Readonly<Record<string, string>>
}

/** The workload side of a canary: the user's target (the canary) and its `-primary` copy. */
export interface Workloads {
  /** The revision of the target's pod template now. */
  revision(canary: Canary, signal: AbortSignal): Promise<Revision>
  /** Creates the primary from the target if it is missing (Initializing). */
  initialize(canary: Canary, signal: AbortSignal): Promise<void>
  primaryReadiness(canary: Canary, signal: AbortSignal): Promise<Readiness>
  canaryReadiness(canary: Canary, signal: AbortSignal): Promise<Readiness>
  /** Scales the target (canary) up to serve a rollout. */
  scaleUpCanary(canary: Canary, signal: AbortSignal): Promise<void>
  /** Scales the target (canary) to zero between rollouts. */
  scaleDownCanary(canary: Canary, signal: AbortSignal): Promise<void>
  /** Copies the target's pod template (and configs) to the primary. */
  promote(canary: Canary, signal: AbortSignal): Promise<void>
  /** Restores the target so it can serve alone (revertOnDeletion). */
  revertTarget(canary: Canary, signal: AbortSignal): Promise<void>
}

/** Runs a Canary's checks once. Never throws: every outcome, backend errors included, is data. */
export interface AnalysisRunner {
  run(
    canary: Canary,
    context: { readonly weight: Milli; readonly now: number },
    signal: AbortSignal,
  ): Promise<Measurement[]>
  /** Checks the metrics backends a Canary uses are reachable; throws a FledgeError saying why not. */
  assertOnline(canary: Canary, signal: AbortSignal): Promise<void>
}

export interface WebhookResult {
  readonly name: string
  /** Any 2xx. */
  readonly ok: boolean
  readonly status?: number
  readonly message: string
}

export interface WebhookPayload {
  readonly name: string
  readonly namespace: string
  readonly phase: string
  readonly checksum: string
  readonly metadata: Readonly<Record<string, string>>
}

/** Calls one webhook; resolves with its result (network errors are a non-ok result, not a throw). */
export interface WebhookCaller {
  call(
    hook: {
      readonly name: string
      readonly url: string
      readonly timeoutMs: number
      readonly retries: number
      readonly type: WebhookType
    },
    payload: WebhookPayload,
    signal: AbortSignal,
  ): Promise<WebhookResult>
}

export interface CanaryEvent {
  readonly type: 'Normal' | 'Warning'
  readonly reason: string
  readonly message: string
}

/** Records user-visible transitions (Kubernetes Events, or the local event log). */
export interface EventSink {
  emit(canary: Canary, event: CanaryEvent, signal: AbortSignal): Promise<void>
}

export interface Alert {
  readonly severity: 'info' | 'warn' | 'error'
  readonly message: string
  /** Why: `Promoted`, `MetricThreshold`, `ProgressDeadline`, `Webhook`, `ManualAbort`, ... */
  readonly reason: string
}

/** Sends alerts to the Canary's AlertProviders. */
export interface AlertSink {
  send(canary: Canary, alert: Alert, signal: AbortSignal): Promise<void>
}

/** Where Canaries and their status live (the API server, or the local state directory). */
export interface CanaryStore {
  /** The object as stored, not yet validated (so an invalid one can be reported on its status). */
  get(key: string, signal: AbortSignal): Promise<unknown>
  /** Replaces the status; rejects with a ConflictError if the object changed since it was read. */
  patchStatus(
    key: string,
    status: NonNullable<Canary['status']>,
    signal: AbortSignal,
  ): Promise<void>
  /** Removes fledge's finalizer, letting a deleted Canary go. */
  removeFinalizer(key: string, signal: AbortSignal): Promise<void>
}

/** Time, injected so that tests run hours of rollout in milliseconds. */
export interface Clock {
  now(): number
  /** Resolves after `ms` (or at once when aborted). */
  sleep(ms: number, signal: AbortSignal): Promise<void>
}
