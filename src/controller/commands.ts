import type { Canary } from '../api/canary.js'
import { COMMAND_VERBS, type Command, type CommandVerb } from './decision.js'
import type { Tick } from './tick.js'
import { beginPromotion, rollback } from './transitions.js'

/** The annotation through which commands reach a Canary, so a GitOps tool does not fight them. */
export const COMMAND_ANNOTATION = 'fledge.dev/command'

/**
 * Reads a pending command from the annotation: `<verb>` or `<verb>@<id>` (the CLI and API add a
 * unique id so the same verb can be given twice). A value already carried out, per
 * status.lastCommand, is not pending.
 */
export function pendingCommand(canary: Canary): Command | undefined {
  const value = canary.metadata.annotations?.[COMMAND_ANNOTATION]?.trim()
  if (value === undefined || value === '' || value === canary.status?.lastCommand) return undefined
  const verb = value.split('@')[0] ?? ''
  if (!(COMMAND_VERBS as readonly string[]).includes(verb)) return undefined
  return { verb: verb as CommandVerb, id: value }
}

/** True when `value` names a known command verb, for API input checks. */
export function isCommandVerb(value: string): value is CommandVerb {
  return (COMMAND_VERBS as readonly string[]).includes(value)
}

export type CommandEffect = 'stop' | 'continue' | 'retry'

/** Carries out a command; says whether the tick goes on after it. */
export function applyCommand(t: Tick, command: Command): CommandEffect {
  t.status.lastCommand = command.id
  const phase = t.phase ?? 'Initializing'
  const analysing = phase === 'Progressing' || phase === 'WaitingPromotion'
  const ignore = (why: string): CommandEffect => {
    t.event('Warning', 'CommandIgnored', `${command.verb}: ${why} (phase ${phase})`)
    return 'continue'
  }
  switch (command.verb) {
    case 'pause':
      if (t.status.paused === true) return ignore('already paused')
      t.status.paused = true
      t.event('Normal', 'Paused', 'Paused by command: the weight holds until resume')
      return 'stop'
    case 'resume':
      if (t.status.paused !== true) return ignore('not paused')
      delete t.status.paused
      // A fresh interval: what happened while paused was not analysed.
      if (t.status.waitingSince !== undefined) t.status.waitingSince = t.iso
      t.startInterval()
      t.event('Normal', 'Resumed', 'Resumed by command')
      return 'continue'
    case 'promote':
      if (!analysing) return ignore('nothing to promote')
      delete t.status.paused
      beginPromotion(t, 'Promotion requested by command.')
      return 'stop'
    case 'abort':
      if (phase === 'Promoting' || phase === 'Finalising')
        return ignore('too late to abort: the promotion is underway')
      if (!analysing && phase !== 'Waiting') return ignore('no rollout to abort')
      rollback(t, 'ManualAbort', 'aborted by command')
      return 'stop'
    case 'retry':
      if (phase !== 'Failed') return ignore('only a Failed rollout can be retried')
      t.event('Normal', 'Retry', 'Retrying the failed rollout by command')
      return 'retry'
  }
}
