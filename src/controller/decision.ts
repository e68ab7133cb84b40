import type { CanaryStatus, Measurement, Phase } from '../api/canary-status.js'
import type { WebhookType } from '../api/canary-spec.js'
import type { Milli } from '../api/weight.js'
import type {
  Alert,
  CanaryEvent,
  Readiness,
  Revision,
  RouteWeights,
  WebhookResult,
} from './ports.js'

/** A command given to a Canary through the API, the CLI or the `fledge.dev/command` annotation. */
export const COMMAND_VERBS = ['promote', 'abort', 'pause', 'resume', 'retry'] as const
export type CommandVerb = (typeof COMMAND_VERBS)[number]
export interface Command {
  readonly verb: CommandVerb
  /** The annotation value as given; recorded in status.lastCommand so it is carried out once. */
  readonly id: string
}

/**
 * What the engine needs to know and does not yet. The state machine asks for one thing at a time;
 * the shell gathers it (an I/O call) and asks again. Only what a decision needs is ever fetched, so
 * a webhook is called only when its phase comes, and at most once per tick.
 */
export type Need =
  | { readonly kind: 'revision' }
  | { readonly kind: 'canaryReadiness' }
  | { readonly kind: 'primaryReadiness' }
  | { readonly kind: 'routes' }
  | { readonly kind: 'routesVerified'; readonly weights: RouteWeights }
  | { readonly kind: 'metricsOnline' }
  | { readonly kind: 'window' }
  | { readonly kind: 'hooks'; readonly type: WebhookType; readonly phase: Phase }
  | { readonly kind: 'analysis'; readonly weight: Milli }

/** Everything observed during one tick. Fields are filled as the state machine asks for them. */
export interface Observation {
  readonly now: number
  /** A command not yet carried out, if any. */
  readonly command?: Command | undefined
  /** The Canary is being deleted. */
  readonly deleting?: boolean | undefined
  revision?: Revision
  canaryReadiness?: Readiness
  primaryReadiness?: Readiness
  routes?: RouteWeights
  routesVerified?: boolean
  metricsOnline?: { readonly ok: boolean; readonly message: string }
  inWindow?: boolean
  hooks?: Partial<Record<WebhookType, readonly WebhookResult[]>>
  analysis?: readonly Measurement[]
}

/** Side effects, carried out in order by the shell before the new status is written. */
export type Action =
  | { readonly kind: 'initialize' }
  | { readonly kind: 'setRoutes'; readonly weights: RouteWeights }
  | { readonly kind: 'scaleUpCanary' }
  | { readonly kind: 'scaleDownCanary' }
  | { readonly kind: 'promote' }
  | { readonly kind: 'revertTarget' }
  | { readonly kind: 'finalizeRoutes' }
  | { readonly kind: 'removeFinalizer' }
  | { readonly kind: 'event'; readonly event: CanaryEvent }
  | { readonly kind: 'alert'; readonly alert: Alert }
  /** Fire-and-forget hooks (post-rollout): their failure is logged, never decides anything. */
  | { readonly kind: 'notify'; readonly type: 'post-rollout'; readonly phase: Phase }
  | {
      readonly kind: 'recordResult'
      readonly result: 'succeeded' | 'failed'
      readonly durationMs: number
    }

export type Decision =
  | { readonly kind: 'observe'; readonly need: Need }
  | {
      readonly kind: 'step'
      readonly status: CanaryStatus
      readonly actions: readonly Action[]
      /** When the next tick has work to do (a due interval); undefined while waiting on the world. */
      readonly wakeAt?: number | undefined
    }

/** Thrown inside the pure state machine to ask for an observation; caught by `decide`. */
export class NeedObservation extends Error {
  readonly need: Need
  constructor(need: Need) {
    super(`observation needed: ${need.kind}`)
    this.need = need
  }
}
