import type { CanaryView } from '../server/views.js'
import { parseFlags, usageError } from './args.js'
import { clientFlags, withClient } from './client.js'
import type { Command } from './io.js'
import { renderCanaryTable } from './render/canary.js'
import { formatData, outputFormat } from './render/output.js'

const KINDS = new Set(['canaries', 'canary', 'canaries.fledge.dev', 'cn'])

/** `fledge get canaries`: a `kubectl get`-like table of the Canaries the controller knows. */
export const getCommand: Command = {
  name: 'get',
  summary: 'list Canaries as a table (-o wide for the analysis settings)',
  usage: 'fledge get canaries [-n NAMESPACE | -A] [-o wide|json|yaml] [--api URL] [--token TOKEN]',
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      {
        ...clientFlags,
        namespace: { type: 'string', short: 'n' },
        'all-namespaces': { type: 'boolean', short: 'A' },
        output: { type: 'string', short: 'o' },
      },
      true,
    )
    const [kind, ...rest] = positionals
    if (kind === undefined || !KINDS.has(kind)) {
      throw usageError(`unknown resource "${kind ?? ''}": fledge get canaries`)
    }
    if (rest.length > 1) throw usageError('at most one NAME')
    const format = outputFormat(values.output, ['wide', 'json', 'yaml'] as const)
    const all = values['all-namespaces'] === true
    const namespace = values.namespace ?? 'default'
    const name = rest[0]
    return withClient(values, async (client) => {
      const { items } = (await client.get('/api/v1/canaries')) as { items: CanaryView[] }
      const views = items.filter(
        (v) => (all || v.namespace === namespace) && (name === undefined || v.name === name),
      )
      if (format === 'json' || format === 'yaml') {
        io.out(formatData(name === undefined ? views : (views[0] ?? null), format))
        return views.length === 0 && name !== undefined ? 1 : 0
      }
      if (views.length === 0) {
        if (name !== undefined) {
          io.err(`fledge get: canary ${namespace}/${name} not found`)
          return 1
        }
        io.err(all ? 'No canaries found.' : `No canaries found in ${namespace} namespace.`)
        return 0
      }
      io.out(renderCanaryTable(views, { wide: format === 'wide', namespaces: all }))
      return 0
    })
  },
}
