import type { CommandVerb } from '../controller/decision.js'
import { parseFlags, usageError } from './args.js'
import { canaryPath, clientFlags, withClient } from './client.js'
import type { Command } from './io.js'

const SUMMARIES: Readonly<Record<CommandVerb, string>> = {
  promote: 'promote a Canary now: skip the remaining steps and analysis',
  abort: 'abort a rollout: traffic back to the primary, the Canary Failed',
  pause: 'pause a rollout: the weight holds until resume',
  resume: 'resume a paused rollout, with a fresh analysis interval',
  retry: 'retry a Failed rollout of the same revision',
}

/** One command verb: POSTs it to the controller, which carries it out on its next tick. */
function commandVerb(verb: CommandVerb): Command {
  return {
    name: verb,
    summary: SUMMARIES[verb],
    usage: `fledge ${verb} NAME [-n NAMESPACE] [--api URL] [--token TOKEN]`,
    async run(args, io) {
      const { values, positionals } = parseFlags(
        args,
        { ...clientFlags, namespace: { type: 'string', short: 'n' } },
        true,
      )
      const [name, ...extra] = positionals
      if (name === undefined || extra.length > 0) throw usageError('exactly one Canary NAME')
      const namespace = values.namespace ?? 'default'
      const body = await withClient(values, (client) =>
        client.post(`${canaryPath(namespace, name)}/commands`, { command: verb }),
      )
      const id = (body as { command?: unknown } | undefined)?.command
      io.out(
        `canary ${namespace}/${name}: ${verb} requested${typeof id === 'string' ? ` (${id})` : ''}`,
      )
      return 0
    },
  }
}

export const promoteCommand = commandVerb('promote')
export const abortCommand = commandVerb('abort')
export const pauseCommand = commandVerb('pause')
export const resumeCommand = commandVerb('resume')
export const retryCommand = commandVerb('retry')
