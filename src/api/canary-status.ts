import { z } from 'zod'

export const PHASES = [
  'Initializing',
  'Initialized',
  'Waiting',
  'Progressing',
  'WaitingPromotion',
  'Promoting',
  'Finalising',
  'Succeeded',
  'Failed',
  'Terminating',
  'Terminated',
] as const
export const PhaseSchema = z.enum(PHASES)
export type Phase = z.infer<typeof PhaseSchema>

/** The four outcomes of one check. Only Successful lets a step pass. */
export const OUTCOMES = ['Successful', 'Failed', 'Inconclusive', 'Error'] as const
export const OutcomeSchema = z.enum(OUTCOMES)
export type Outcome = z.infer<typeof OutcomeSchema>

export const MeasurementSchema = z.strictObject({
  metric: z.string(),
  outcome: OutcomeSchema,
  value: z.number().optional(),
  /** The rendered query, when the check ran one. */
  query: z.string().optional(),
  message: z.string().optional(),
  /** Canary weight (milli) at which it was taken. */
  weight: z.number().optional(),
  at: z.string(),
})
export type Measurement = z.infer<typeof MeasurementSchema>

export const ConditionSchema = z.strictObject({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().optional(),
  message: z.string().optional(),
  lastUpdateTime: z.string().optional(),
  lastTransitionTime: z.string().optional(),
})
export type Condition = z.infer<typeof ConditionSchema>

/**
 * Canary status: Flagger's fields, plus what a restart needs to keep timing exact
 * (`stepStartedAt`, `waitingSince`) and the recent measurements.
 */
export const CanaryStatusSchema = z.strictObject({
  phase: PhaseSchema.optional(),
  /** Canary weight in percent, as Flagger reports it (one decimal: milli-units / 10). */
  canaryWeight: z.number().min(0).max(100).optional(),
  failedChecks: z.number().int().min(0).optional(),
  iterations: z.number().int().min(0).optional(),
  trackedConfigs: z.record(z.string(), z.string()).optional(),
  lastAppliedSpec: z.string().optional(),
  lastPromotedSpec: z.string().optional(),
  lastTransitionTime: z.string().optional(),
  conditions: z.array(ConditionSchema).optional(),
  // fledge additions
  observedGeneration: z.number().int().optional(),
  /** When the current step began: the next one is due one analysis interval later. */
  stepStartedAt: z.string().optional(),
  /** When the engine began waiting on something that must happen by itself (readiness, routes). */
  waitingSince: z.string().optional(),
  /** When the current rollout started (its new revision was detected). */
  rolloutStartedAt: z.string().optional(),
  /** Routes went back to the primary; the canary is scaled down once the data plane confirms. */
  pendingScaleDown: z.boolean().optional(),
  /** Traffic is mirrored to the canary at this step. */
  mirrored: z.boolean().optional(),
  consecutiveInconclusive: z.number().int().min(0).optional(),
  consecutiveErrors: z.number().int().min(0).optional(),
  paused: z.boolean().optional(),
  /** The last command (annotation value) carried out, so it is carried out once. */
  lastCommand: z.string().optional(),
  /** Why the last rollout failed, or what the Canary waits for. */
  message: z.string().optional(),
  measurements: z.array(MeasurementSchema).optional(),
})
export type CanaryStatus = z.infer<typeof CanaryStatusSchema>
