import { parseFlags, usageError } from './args.js'
import { clientFlags, withClient } from './client.js'
import type { Command } from './io.js'

const DEPLOYMENT = /^(?:deployments?|deploy)(?:\.apps)?\/(.+)$/

/** `fledge set image deployment/NAME CONTAINER=IMAGE...`: bumps an image in the manifest file. */
export const setCommand: Command = {
  name: 'set',
  summary: "set a Deployment container's image (edits its manifest: a new rollout starts)",
  usage:
    'fledge set image deployment/NAME CONTAINER=IMAGE [CONTAINER=IMAGE...] [-n NAMESPACE] [--api URL] [--token TOKEN]',
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { ...clientFlags, namespace: { type: 'string', short: 'n' } },
      true,
    )
    const [what, target, ...pairs] = positionals
    if (what !== 'image')
      throw usageError('usage: fledge set image deployment/NAME CONTAINER=IMAGE')
    const m = DEPLOYMENT.exec(target ?? '')
    const name = m?.[1]
    if (name === undefined) {
      throw usageError(`expected deployment/NAME, got "${target ?? ''}"`)
    }
    if (pairs.length === 0) throw usageError('at least one CONTAINER=IMAGE is required')
    const changes = pairs.map((p) => {
      const eq = p.indexOf('=')
      if (eq <= 0 || eq === p.length - 1) throw usageError(`expected CONTAINER=IMAGE, got "${p}"`)
      return { container: p.slice(0, eq), image: p.slice(eq + 1) }
    })
    const namespace = values.namespace ?? 'default'
    const path = `/api/v1/deployments/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/image`
    return withClient(values, async (client) => {
      for (const change of changes) {
        const r = (await client.post(path, change)) as {
          changed?: boolean
          file?: string
          previous?: string
        }
        const label = `deployment/${name}${changes.length > 1 ? ` container ${change.container}` : ''}`
        io.out(
          r.changed === true
            ? `${label} image updated: ${r.previous ?? '?'} -> ${change.image}${r.file === undefined ? '' : ` (${r.file})`}`
            : `${label} image unchanged: ${change.image}`,
        )
      }
      return 0
    })
  },
}
