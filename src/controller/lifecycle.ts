import { FULL } from '../api/weight.js'
import type { Revision } from './ports.js'
import { configsChanged } from './revision.js'
import type { Tick } from './tick.js'
import { PRIMARY_ONLY, failPromotion, startRollout, succeed } from './transitions.js'
import { nextPromotionWeight } from './weights.js'

/** First sight of a Canary, and Initializing: create the primary and wait until it is ready. */
export function initializing(t: Tick): void {
  const target = t.spec.targetRef.name
  if (t.phase === undefined) {
    if (!t.skipAnalysis && (t.analysis.metrics?.length ?? 0) > 0) {
      const online = t.need(t.obs.metricsOnline, { kind: 'metricsOnline' })
      if (!online.ok)
        t.event(
          'Warning',
          'MetricsProviderUnavailable',
          `Error checking metric providers: ${online.message}`,
        )
    }
    t.setPhase('Initializing')
    t.act({ kind: 'initialize' })
    t.startWaiting(`creating ${target}-primary`)
    t.event('Normal', 'Initializing', `Creating ${target}-primary from ${target}`)
    return
  }
  const ready = t.need(t.obs.primaryReadiness, { kind: 'primaryReadiness' })
  const revision = t.need(t.obs.revision, { kind: 'revision' })
  if (!ready.ready) {
    t.act({ kind: 'initialize' })
    t.startWaiting(`waiting for ${target}-primary to become ready: ${ready.message}`)
    if (ready.failed === true || t.deadlinePassed) {
      const message = `${target}-primary not ready within ${t.progressDeadlineMs / 1000}s: ${ready.message}`
      t.setPhase('Failed')
      t.status.lastAppliedSpec = revision.specHash
      t.status.message = message
      t.stopWaiting()
      t.event('Warning', 'ProgressDeadline', message)
      t.alert('error', 'ProgressDeadline', `Initialization of ${target} failed: ${message}`)
    }
    return
  }
  t.act({ kind: 'setRoutes', weights: PRIMARY_ONLY })
  t.act({ kind: 'scaleDownCanary' })
  t.setPhase('Initialized')
  t.status.lastAppliedSpec = revision.specHash
  t.status.lastPromotedSpec = revision.specHash
  t.status.trackedConfigs = { ...revision.configs }
  t.weight = 0
  t.status.failedChecks = 0
  t.status.iterations = 0
  t.status.message = 'initialization completed'
  t.stopWaiting()
  t.event('Normal', 'Synced', `Initialization done! ${t.canary.metadata.name}`)
  t.alert('info', 'Initialized', `New deployment ${target} detected, initialization completed.`)
}

/** Initialized, Succeeded, Failed: finish a pending scale-down, then watch for a new revision. */
export function idle(t: Tick, retry: boolean): void {
  if (t.status.pendingScaleDown === true && !scaleDownWhenRoutesApplied(t)) return
  const revision = t.need(t.obs.revision, { kind: 'revision' })
  const configs = configsChanged(revision, t.status.trackedConfigs)
  if (t.status.lastPromotedSpec === undefined) {
    // Initialization never completed: a new revision (or retry) starts it again.
    if (retry || revision.specHash !== t.status.lastAppliedSpec) {
      delete t.status.phase
      initializing(t)
    }
    return
  }
  const reverted = revision.specHash === t.status.lastPromotedSpec && !configs
  if (reverted && revision.specHash !== t.status.lastAppliedSpec) {
    t.status.lastAppliedSpec = revision.specHash
    t.event('Normal', 'Reverted', 'Target reverted to the promoted revision; no rollout needed')
    return
  }
  const changed = (revision.specHash !== t.status.lastAppliedSpec && !reverted) || configs
  if (changed || retry)
    confirmRollout(t, revision, retry ? 'Retry requested.' : 'New revision detected!')
}

/** Waiting: the confirm-rollout gate was closed; ask again once per interval. */
export function waiting(t: Tick): void {
  const revision = t.need(t.obs.revision, { kind: 'revision' })
  if (
    revision.specHash === t.status.lastPromotedSpec &&
    !configsChanged(revision, t.status.trackedConfigs)
  ) {
    t.setPhase('Succeeded')
    t.status.lastAppliedSpec = revision.specHash
    t.status.message = 'target reverted to the promoted revision; no rollout needed'
    return
  }
  if (!t.due) {
    t.waitForInterval()
    return
  }
  confirmRollout(t, revision, 'Rollout confirmed.')
}

function confirmRollout(t: Tick, revision: Revision, message: string): void {
  const gate = t.gateOpen('confirm-rollout')
  if (!gate.open) {
    if (t.phase !== 'Waiting') {
      t.setPhase('Waiting')
      t.event('Normal', 'Waiting', `Waiting for approval: ${gate.message}`)
      t.alert(
        'info',
        'Waiting',
        `Canary ${t.spec.targetRef.name} is waiting for approval to start a rollout`,
      )
    }
    t.status.message = `waiting for rollout approval: ${gate.message}`
    t.startInterval()
    return
  }
  startRollout(t, revision, message)
}

/** Promoting: the primary rolls out the new template; then traffic moves back to it. */
export function promoting(t: Tick): void {
  const target = t.spec.targetRef.name
  const ready = t.need(t.obs.primaryReadiness, { kind: 'primaryReadiness' })
  if (!ready.ready) {
    t.startWaiting(`promoting: waiting for ${target}-primary: ${ready.message}`)
    if (ready.failed === true || t.deadlinePassed) failPromotion(t, ready.message)
    return
  }
  t.stopWaiting()
  const next = nextPromotionWeight(t.analysis, t.weight)
  if (next > 0) {
    if (!t.due) {
      t.waitForInterval()
      return
    }
    t.act({ kind: 'setRoutes', weights: { primary: FULL - next, canary: next, mirror: false } })
    t.weight = next
    t.status.message = `promoting: canary weight ${next / 10}%`
    t.event(
      'Normal',
      'Synced',
      `Advance ${t.canary.metadata.name} primary weight ${(FULL - next) / 10}%`,
    )
    t.startInterval()
    return
  }
  t.act({ kind: 'setRoutes', weights: PRIMARY_ONLY })
  t.weight = 0
  t.status.mirrored = false
  t.setPhase('Finalising')
  t.startWaiting('finalising: waiting for the data plane to send all traffic to the primary')
}

/** Finalising: once the data plane confirms 100% to the primary, scale the canary down. */
export function finalising(t: Tick): void {
  const verified = t.need(t.obs.routesVerified, { kind: 'routesVerified', weights: PRIMARY_ONLY })
  if (verified) {
    succeed(t)
    return
  }
  t.startWaiting('finalising: waiting for the data plane to send all traffic to the primary')
  if (t.deadlinePassed) {
    const message = `the data plane did not confirm the primary's routes within ${t.progressDeadlineMs / 1000}s`
    t.setPhase('Failed')
    t.status.message = message
    t.stopWaiting()
    t.event('Warning', 'ProgressDeadline', message)
    t.alert(
      'error',
      'ProgressDeadline',
      `Finalising ${t.spec.targetRef.name} failed: ${message}; the canary is left running`,
    )
  }
}

/** After a rollback, the canary is scaled down only once the primary really takes all traffic. */
function scaleDownWhenRoutesApplied(t: Tick): boolean {
  const verified = t.need(t.obs.routesVerified, { kind: 'routesVerified', weights: PRIMARY_ONLY })
  if (!verified && !t.deadlinePassed) {
    t.status.waitingSince ??= t.iso
    return false
  }
  if (!verified)
    t.event(
      'Warning',
      'ProgressDeadline',
      'Routes not confirmed by the data plane; scaling the canary down anyway',
    )
  t.act({ kind: 'scaleDownCanary' })
  delete t.status.pendingScaleDown
  t.stopWaiting()
  return true
}

/** Deletion with revertOnDeletion: give the target its traffic back, then let the Canary go. */
export function terminating(t: Tick): void {
  const target = t.spec.targetRef.name
  if (t.phase !== 'Terminating') {
    t.setPhase('Terminating')
    t.act({ kind: 'revertTarget' })
    t.status.waitingSince = t.iso
    t.status.message = `restoring ${target}`
    t.event('Normal', 'Terminating', `Canary deleted: restoring ${target}`)
    return
  }
  const ready = t.need(t.obs.canaryReadiness, { kind: 'canaryReadiness' })
  if (!ready.ready && !t.deadlinePassed) {
    t.act({ kind: 'revertTarget' })
    t.status.message = `restoring ${target}: ${ready.message}`
    return
  }
  if (!ready.ready)
    t.event(
      'Warning',
      'ProgressDeadline',
      `${target} not ready after the deadline; finalizing anyway`,
    )
  t.act({ kind: 'finalizeRoutes' })
  t.act({ kind: 'removeFinalizer' })
  t.setPhase('Terminated')
  t.stopWaiting()
  t.status.message = `${target} restored`
  t.event('Normal', 'Terminated', `${target} restored and routing finalized`)
}
