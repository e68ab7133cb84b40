import type { Canary } from '../api/canary.js'
import type { CanaryStatus, Condition, Phase } from '../api/canary-status.js'
import { applyCommand } from './commands.js'
import { NeedObservation, type Decision, type Observation } from './decision.js'
import { finalising, idle, initializing, promoting, terminating, waiting } from './lifecycle.js'
import { progressing } from './progressing.js'
import { Tick } from './tick.js'

/**
 * The rollout engine: given a Canary (spec and status) and what was observed this tick, returns the
 * next status and the actions to take, or the one observation it still needs. Pure and
 * deterministic: no I/O, no clock, so the same inputs always give the same decision.
 */
export function decide(canary: Canary, obs: Observation): Decision {
  const t = new Tick(canary, obs)
  try {
    run(t)
  } catch (err) {
    if (err instanceof NeedObservation) return { kind: 'observe', need: err.need }
    throw err
  }
  return {
    kind: 'step',
    status: finish(canary.status ?? {}, t),
    actions: t.actions,
    wakeAt: t.wakeAt,
  }
}

function run(t: Tick): void {
  if (t.obs.deleting === true) {
    if (t.spec.revertOnDeletion === true && t.phase !== 'Terminated') terminating(t)
    return
  }
  if (t.spec.suspend === true) {
    if (t.status.message !== 'suspended')
      t.event('Normal', 'Suspended', 'Skipping canary runs: the Canary is suspended')
    t.status.message = 'suspended'
    return
  }
  let retry = false
  if (t.obs.command !== undefined) {
    const effect = applyCommand(t, t.obs.command)
    if (effect === 'stop') return
    retry = effect === 'retry'
  }
  if (t.status.paused === true) return
  if (t.phase === 'Initialized' || t.phase === 'Succeeded' || t.phase === 'Failed') idle(t, retry)
  else PHASES[t.phase ?? 'Initializing'](t)
}

/** What one tick does in each phase other than the idle ones. */
const PHASES: Record<Exclude<Phase, 'Initialized' | 'Succeeded' | 'Failed'>, (t: Tick) => void> = {
  Initializing: initializing,
  Waiting: waiting,
  Progressing: progressing,
  WaitingPromotion: progressing,
  Promoting: promoting,
  Finalising: finalising,
  Terminating: () => undefined,
  Terminated: () => undefined,
}

/** Stamps transition times and Flagger's `Promoted` condition onto the draft status. */
function finish(before: CanaryStatus, t: Tick): CanaryStatus {
  const status = t.status
  const generation = t.canary.metadata.generation
  if (generation !== undefined) status.observedGeneration = generation
  if (
    status.phase !== before.phase ||
    status.canaryWeight !== before.canaryWeight ||
    status.lastTransitionTime === undefined
  ) {
    status.lastTransitionTime = t.iso
  }
  status.conditions = promotedCondition(before.conditions ?? [], status, t.iso)
  return status
}

function promotedCondition(
  conditions: readonly Condition[],
  status: CanaryStatus,
  now: string,
): Condition[] {
  const phase = status.phase ?? 'Initializing'
  const value: Condition['status'] =
    phase === 'Initialized' || phase === 'Succeeded'
      ? 'True'
      : phase === 'Failed'
        ? 'False'
        : 'Unknown'
  const old = conditions.find((c) => c.type === 'Promoted')
  const message = status.message ?? ''
  const same = old?.status === value && old.reason === phase && old.message === message
  const promoted: Condition = {
    type: 'Promoted',
    status: value,
    reason: phase,
    message,
    lastUpdateTime: same ? (old.lastUpdateTime ?? now) : now,
    lastTransitionTime: old?.status === value ? (old.lastTransitionTime ?? now) : now,
  }
  return [...conditions.filter((c) => c.type !== 'Promoted'), promoted]
}
