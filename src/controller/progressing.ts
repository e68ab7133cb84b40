import type { Measurement } from '../api/canary-status.js'
import { FULL } from '../api/weight.js'
import { configsChanged } from './revision.js'
import type { Tick } from './tick.js'
import { PRIMARY_ONLY, beginPromotion, failedCheck, resetRollout, rollback } from './transitions.js'
import { maxWeight, nextStepWeight } from './weights.js'

/** One tick of a canary under analysis: phases Progressing and WaitingPromotion. */
export function progressing(t: Tick): void {
  if (restartOnNewRevision(t)) return
  const target = t.spec.targetRef.name
  const ready = t.need(t.obs.canaryReadiness, { kind: 'canaryReadiness' })
  if (!ready.ready) {
    t.startWaiting(`waiting for ${target} to become ready: ${ready.message}`)
    if (ready.failed === true || t.deadlinePassed) {
      rollback(
        t,
        'ProgressDeadline',
        `${target} not ready within ${t.progressDeadlineMs / 1000}s: ${ready.message}`,
      )
    }
    return
  }
  if (t.status.waitingSince !== undefined) {
    t.stopWaiting()
    t.status.message = `${target} is ready`
  }
  if (t.skipAnalysis) {
    beginPromotion(t, 'Analysis skipped.')
    return
  }
  if (!t.due) {
    t.waitForInterval()
    return
  }
  const rollbackHook = t.hookResults('rollback').find((r) => r.ok)
  if (rollbackHook !== undefined) {
    rollback(t, 'RollbackWebhook', `rollback hook ${rollbackHook.name} signalled a rollback`)
    return
  }
  if (!analysisPassed(t)) return
  advance(t)
}

/** A new revision mid-rollout restarts the analysis; a revert to the promoted one cancels it. */
function restartOnNewRevision(t: Tick): boolean {
  const revision = t.need(t.obs.revision, { kind: 'revision' })
  const configs = configsChanged(revision, t.status.trackedConfigs)
  if (revision.specHash === t.status.lastAppliedSpec && !configs) return false
  if (revision.specHash === t.status.lastPromotedSpec && !configs) {
    rollback(t, 'Reverted', 'the target was reverted to the promoted revision')
    return true
  }
  t.act({ kind: 'setRoutes', weights: PRIMARY_ONLY })
  resetRollout(t, revision)
  t.setPhase('Progressing')
  t.status.rolloutStartedAt = t.iso
  t.startWaiting(`waiting for ${t.spec.targetRef.name} to become ready`)
  t.act({ kind: 'scaleUpCanary' })
  t.event('Normal', 'Synced', 'New revision detected! Restarting analysis.')
  return true
}

/** Runs this interval's checks; true when the step may go on. */
function analysisPassed(t: Tick): boolean {
  const atStart = t.weight === 0 && (t.status.iterations ?? 0) === 0 && t.status.mirrored !== true
  if (atStart && t.phase === 'Progressing') {
    const gate = t.gateOpen('pre-rollout')
    if (!gate.open) {
      failedCheck(t, gate.message)
      return false
    }
    t.event('Normal', 'Synced', `Starting canary analysis for ${t.spec.targetRef.name}`)
    return true
  }
  const hooks = t.gateOpen('rollout')
  if (!hooks.open) {
    failedCheck(t, hooks.message)
    return false
  }
  const results =
    (t.analysis.metrics ?? []).length === 0
      ? []
      : t.need(t.obs.analysis, { kind: 'analysis', weight: t.weight })
  t.recordMeasurements(results)
  return judge(t, results)
}

/**
 * Failed counts toward the threshold. No data (Inconclusive) and a failing metrics backend (Error)
 * never pass: they hold the weight, and only a run of `inconclusiveLimit` / `errorLimit` of them
 * in a row counts as one failed check (0 = hold indefinitely).
 */
function judge(t: Tick, results: readonly Measurement[]): boolean {
  const by = (o: Measurement['outcome']): Measurement[] => results.filter((r) => r.outcome === o)
  const failed = by('Failed')
  if (failed.length > 0) {
    t.status.consecutiveErrors = 0
    t.status.consecutiveInconclusive = 0
    failedCheck(t, describe(failed))
    return false
  }
  const errors = by('Error')
  const inconclusive = by('Inconclusive')
  if (errors.length > 0 || inconclusive.length > 0) {
    const isError = errors.length > 0
    const field = isError ? 'consecutiveErrors' : 'consecutiveInconclusive'
    const other = isError ? 'consecutiveInconclusive' : 'consecutiveErrors'
    const limit = isError ? t.errorLimit : t.inconclusiveLimit
    const count = (t.status[field] ?? 0) + 1
    const what = `${isError ? 'metrics backend error' : 'no data'}: ${describe(isError ? errors : inconclusive)}`
    t.status[other] = 0
    if (limit > 0 && count >= limit) {
      t.status[field] = 0
      failedCheck(t, `${count} checks in a row without a verdict; ${what}`)
      return false
    }
    t.status[field] = count
    t.status.message = `holding weight: ${what}`
    t.event('Warning', isError ? 'MetricsError' : 'NoData', `Halt advancement: ${what}`)
    t.startInterval()
    return false
  }
  t.status.consecutiveErrors = 0
  t.status.consecutiveInconclusive = 0
  return true
}

function describe(list: readonly Measurement[]): string {
  return list.map((m) => m.message ?? `${m.metric} ${m.outcome}`).join('; ')
}

/** The checks passed: take the next step of the strategy, or promote. */
function advance(t: Tick): void {
  const name = t.canary.metadata.name
  const iterations = t.status.iterations ?? 0
  const wanted = t.analysis.iterations ?? 0
  switch (t.strategy) {
    case 'canary': {
      if (t.weight >= maxWeight(t.analysis)) {
        promotionGate(t)
        return
      }
      if (!inWindow(t) || !trafficIncreaseConfirmed(t)) return
      if (t.analysis.mirror === true && t.status.mirrored !== true && t.weight === 0) {
        mirror(t)
        return
      }
      const next = nextStepWeight(t.analysis, t.weight)
      t.act({ kind: 'setRoutes', weights: { primary: FULL - next, canary: next, mirror: false } })
      t.weight = next
      t.status.mirrored = false
      t.status.message = `canary weight ${next / 10}%`
      t.event('Normal', 'Synced', `Advance ${name} canary weight ${next / 10}%`)
      t.startInterval()
      return
    }
    case 'ab': {
      if (iterations >= wanted) {
        promotionGate(t)
        return
      }
      if (iterations === 0) {
        t.act({
          kind: 'setRoutes',
          weights: { primary: 0, canary: FULL, mirror: false, match: true },
        })
      }
      iterate(t, iterations + 1, wanted)
      return
    }
    case 'bluegreen': {
      if (iterations < wanted) {
        if (t.analysis.mirror === true && t.status.mirrored !== true) mirror(t)
        iterate(t, iterations + 1, wanted)
        return
      }
      if (t.weight < FULL) {
        if (!inWindow(t) || !promotionConfirmed(t)) return
        t.act({ kind: 'setRoutes', weights: { primary: 0, canary: FULL, mirror: false } })
        t.weight = FULL
        t.status.mirrored = false
        t.event('Normal', 'Synced', `Routing all traffic to ${t.spec.targetRef.name}`)
        t.startInterval()
        return
      }
      beginPromotion(t, 'Canary analysis passed.')
      return
    }
  }
}

function iterate(t: Tick, done: number, wanted: number): void {
  t.status.iterations = done
  t.status.message = `iteration ${done}/${wanted}`
  t.event(
    'Normal',
    'Synced',
    `Advance ${t.canary.metadata.name} canary iteration ${done}/${wanted}`,
  )
  t.startInterval()
}

function mirror(t: Tick): void {
  t.act({ kind: 'setRoutes', weights: { primary: FULL, canary: 0, mirror: true } })
  t.status.mirrored = true
  t.status.message = 'mirroring traffic to the canary'
  t.event('Normal', 'Synced', `Start traffic mirroring to ${t.spec.targetRef.name}`)
  t.startInterval()
}

function promotionGate(t: Tick): void {
  if (!inWindow(t) || !promotionConfirmed(t)) return
  beginPromotion(t, 'Canary analysis passed.')
}

function promotionConfirmed(t: Tick): boolean {
  const gate = t.gateOpen('confirm-promotion')
  if (gate.open) return true
  if (t.phase !== 'WaitingPromotion') {
    t.setPhase('WaitingPromotion')
    t.event('Normal', 'WaitingPromotion', `Confirm-promotion check failed: ${gate.message}`)
    t.alert(
      'info',
      'WaitingPromotion',
      `Canary ${t.spec.targetRef.name} is waiting for promotion approval`,
    )
  }
  t.status.message = `waiting for promotion approval: ${gate.message}`
  t.startInterval()
  return false
}

function trafficIncreaseConfirmed(t: Tick): boolean {
  const gate = t.gateOpen('confirm-traffic-increase')
  if (gate.open) return true
  t.status.message = `holding weight ${t.weight / 10}%: ${gate.message}`
  t.startInterval()
  return false
}

/** Outside every rollout window the weight holds; it is checked again next interval. */
function inWindow(t: Tick): boolean {
  if ((t.analysis.rolloutWindows?.length ?? 0) === 0) return true
  if (t.need(t.obs.inWindow, { kind: 'window' })) return true
  t.status.message = `outside the rollout window; holding weight ${t.weight / 10}%`
  t.startInterval()
  return false
}
