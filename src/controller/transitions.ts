import { FULL } from '../api/weight.js'
import type { Revision } from './ports.js'
import type { Tick } from './tick.js'

/** Why a rollout failed; each cause raises an event and an alert. */
export type FailureCause =
  | 'MetricThreshold'
  | 'ProgressDeadline'
  | 'RollbackWebhook'
  | 'ManualAbort'
  | 'Reverted'
  | 'PromotionFailed'

export const PRIMARY_ONLY = { primary: FULL, canary: 0, mirror: false } as const

/** A new revision was confirmed: scale the canary up and start at weight 0. */
export function startRollout(t: Tick, revision: Revision, message: string): void {
  const target = t.spec.targetRef.name
  t.setPhase('Progressing')
  resetRollout(t, revision)
  t.status.rolloutStartedAt = t.iso
  t.startWaiting(`waiting for ${target} to become ready`)
  t.act({ kind: 'scaleUpCanary' })
  t.event('Normal', 'Synced', `${message} Scaling up ${target}`)
  t.alert('info', 'NewRevision', `New revision detected, progressing canary analysis for ${target}`)
}

/** Clears a rollout's counters for a (new) revision. */
export function resetRollout(t: Tick, revision: Revision): void {
  t.status.lastAppliedSpec = revision.specHash
  t.status.trackedConfigs = { ...revision.configs }
  t.weight = 0
  t.status.failedChecks = 0
  t.status.iterations = 0
  t.status.consecutiveErrors = 0
  t.status.consecutiveInconclusive = 0
  t.status.mirrored = false
  t.status.measurements = []
  delete t.status.waitingSince
  t.startInterval()
}

/**
 * Rolls back: all traffic to the primary, the canary scaled down, phase Failed, and an alert for
 * every cause (Flagger stays silent on deadline rollbacks; users asked for this, flagger#1663).
 */
export function rollback(t: Tick, cause: FailureCause, message: string): void {
  const target = t.spec.targetRef.name
  t.act({ kind: 'setRoutes', weights: PRIMARY_ONLY })
  // Scaling down waits until the data plane confirms the primary takes all traffic (see idle).
  t.status.pendingScaleDown = true
  t.event('Warning', cause, `Canary failed! Scaling down ${target}: ${message}`)
  t.alert('error', cause, `Canary ${target} rolled back: ${message}`)
  finish(t, 'Failed', message)
}

/** Counts one failed check; rolls back as soon as the count reaches the threshold. */
export function failedCheck(t: Tick, message: string): void {
  const failed = (t.status.failedChecks ?? 0) + 1
  t.status.failedChecks = failed
  t.status.message = message
  t.startInterval()
  if (failed >= t.threshold) {
    rollback(t, 'MetricThreshold', `${message} (failed checks ${failed}/${t.threshold})`)
    return
  }
  t.event(
    'Warning',
    'Halted',
    `Halt advancement: ${message} (failed checks ${failed}/${t.threshold})`,
  )
}

/** Copies the canary's template to the primary; traffic stays where it is until the primary is ready. */
export function beginPromotion(t: Tick, message: string): void {
  const target = t.spec.targetRef.name
  t.act({ kind: 'promote' })
  t.event('Normal', 'Promoting', `${message} Copying ${target} template spec to ${target}-primary`)
  t.setPhase('Promoting')
  t.status.waitingSince = t.iso
  t.status.message = `promoting: waiting for ${target}-primary to roll out`
  // Readiness is polled, not paced: the interval only paces stepWeightPromotion.
  t.status.stepStartedAt = t.iso
  t.wakeAt = undefined
}

/** The primary runs the new revision and takes all traffic: scale the canary down. */
export function succeed(t: Tick): void {
  const target = t.spec.targetRef.name
  t.act({ kind: 'scaleDownCanary' })
  t.event('Normal', 'Succeeded', `Promotion completed! Scaling down ${target}`)
  t.alert(
    'info',
    'Promoted',
    `Canary analysis completed successfully, promotion of ${target} finished.`,
  )
  t.status.lastPromotedSpec = t.status.lastAppliedSpec
  finish(t, 'Succeeded', 'promotion finished')
}

/** The primary failed to roll out during promotion: keep serving from the healthy canary. */
export function failPromotion(t: Tick, message: string): void {
  const target = t.spec.targetRef.name
  t.act({ kind: 'setRoutes', weights: { primary: 0, canary: FULL, mirror: false } })
  t.event(
    'Warning',
    'PromotionFailed',
    `${target}-primary did not become ready: ${message}; all traffic stays on ${target}`,
  )
  t.alert(
    'error',
    'PromotionFailed',
    `Promotion of ${target} failed: ${message}; traffic kept on the canary`,
  )
  finish(t, 'Failed', `promotion failed: ${message}`)
  t.weight = FULL
}

function finish(t: Tick, phase: 'Succeeded' | 'Failed', message: string): void {
  t.setPhase(phase)
  t.weight = 0
  t.status.mirrored = false
  t.status.message = message
  delete t.status.waitingSince
  delete t.status.paused
  const started = t.status.rolloutStartedAt
  t.act({
    kind: 'recordResult',
    result: phase === 'Succeeded' ? 'succeeded' : 'failed',
    durationMs: started === undefined ? 0 : t.now - Date.parse(started),
  })
  t.act({ kind: 'notify', type: 'post-rollout', phase })
  t.wakeAt = undefined
}
