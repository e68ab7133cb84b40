import { stringify } from 'yaml'
import type { CanaryView } from '../server/views.js'
import { parseDuration } from '../util/duration.js'
import { errorMessage } from '../util/errors.js'
import { parseFlags, usageError } from './args.js'
import { canaryPath, clientFlags, withClient, type ApiClient } from './client.js'
import type { Command, Console } from './io.js'
import { CLEAR_HOME, isTerminal, useColor } from './render/ansi.js'
import { eventsOf, renderCanaryDetail, renderCanaryList, type EventView } from './render/canary.js'
import { formatData, outputFormat, type OutputFormat } from './render/output.js'
import { followAll, followCanary } from './status-watch.js'

/** `fledge status [NAME]`: one line per Canary, or one Canary in detail; `--watch` follows it. */
export const statusCommand: Command = {
  name: 'status',
  summary: 'show the rollout of every Canary, or of one in detail (--watch follows it to the end)',
  usage:
    'fledge status [NAME] [-n NAMESPACE] [--watch] [--timeout DURATION] [-o json|yaml] [--api URL] [--token TOKEN]',
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      {
        ...clientFlags,
        namespace: { type: 'string', short: 'n' },
        watch: { type: 'boolean', short: 'w' },
        timeout: { type: 'string' },
        output: { type: 'string', short: 'o' },
      },
      true,
    )
    if (positionals.length > 1) throw usageError('at most one Canary NAME')
    const format = outputFormat(values.output, ['json', 'yaml'] as const)
    const timeoutMs = values.timeout === undefined ? undefined : durationFlag(values.timeout)
    const name = positionals[0]
    return withClient(values, async (client) => {
      if (name === undefined) {
        if (values.watch !== true) {
          io.out(await listText(client, format, io, values.namespace))
          return 0
        }
        const tty = isTerminal(io)
        return followAll(client, {
          timeoutMs,
          fetch: () => listText(client, format, io, values.namespace),
          draw: (text) => {
            io.out(tty ? CLEAR_HOME + text : text)
          },
          note: (text) => {
            io.err(text)
          },
        })
      }
      const key = `${values.namespace ?? 'default'}/${name}`
      if (values.watch !== true) {
        const { view, events } = await fetchCanary(client, key)
        io.out(format === undefined ? detailText(view, events, io) : formatData(view, format))
        return 0
      }
      return followCanary(client, key, {
        timeoutMs,
        fetch: () => fetchCanary(client, key),
        draw: drawer(io, format),
        note: (text) => {
          io.err(text)
        },
      })
    })
  },
}

function durationFlag(text: string): number {
  try {
    return parseDuration(text)
  } catch (err) {
    throw usageError(`--timeout: ${errorMessage(err)}`)
  }
}

/** Every Canary, or those of one namespace when `-n` is given. */
async function listText(
  client: ApiClient,
  format: OutputFormat | undefined,
  io: Console,
  namespace: string | undefined,
): Promise<string> {
  const { items } = (await client.get('/api/v1/canaries')) as { items: CanaryView[] }
  const views = items.filter((v) => namespace === undefined || v.namespace === namespace)
  return format === undefined ? renderCanaryList(views, useColor(io)) : formatData(views, format)
}

/** One Canary's view and its recent events. */
export async function fetchCanary(
  client: ApiClient,
  key: string,
): Promise<{ view: CanaryView; events: EventView[] }> {
  const [namespace = 'default', name = key] = key.split('/')
  const body = (await client.get(canaryPath(namespace, name))) as {
    view: CanaryView
    events?: unknown
  }
  return { view: body.view, events: eventsOf(body.events) }
}

function detailText(view: CanaryView, events: readonly EventView[], io: Console): string {
  return renderCanaryDetail(view, { now: Date.now(), colour: useColor(io), events })
}

/**
 * How a watch shows each change: on a terminal, the screen is redrawn; elsewhere each change is
 * appended; with -o, one JSON object per line (or one YAML document) per change of the view.
 */
function drawer(
  io: Console,
  format: OutputFormat | undefined,
): (view: CanaryView, events: readonly EventView[], changed: boolean) => void {
  const tty = isTerminal(io)
  let first = true
  let lastView = ''
  return (view, events, changed) => {
    if (format !== undefined) {
      // Machine output follows the view alone: an event by itself prints nothing.
      const text = JSON.stringify(view)
      if (text === lastView) return
      lastView = text
      io.out(format === 'json' ? text : `---\n${stringify(view).trimEnd()}`)
    } else if (tty) {
      io.out(CLEAR_HOME + detailText(view, events, io))
    } else if (changed) {
      io.out((first ? '' : '\n') + detailText(view, events, io))
    }
    first = false
  }
}
