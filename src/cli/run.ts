import { stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { createLogger, type LogLevel } from '../observability/logger.js'
import { startLocal, type LocalHandle } from '../run/local.js'
import { errorMessage } from '../util/errors.js'
import { parseFlags, usageError } from './args.js'
import type { Command, Console } from './io.js'

/** `fledge run DIR`: local mode, the embedded default. */
export const runCommand: Command = {
  name: 'run',
  summary: 'run a manifests directory locally: processes, proxy, controller, API and dashboard',
  usage:
    'fledge run DIR [--listen 127.0.0.1:8880] [--proxy 127.0.0.1:4140] [--admin 127.0.0.1:4191] [--state DIR] [--log-level info]',
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      {
        listen: { type: 'string' },
        proxy: { type: 'string' },
        admin: { type: 'string' },
        state: { type: 'string' },
        'log-level': { type: 'string' },
      },
      true,
    )
    const dir = positionals[0]
    if (dir === undefined || positionals.length > 1)
      throw usageError('exactly one manifests directory is required')
    const isDir = await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    )
    if (!isDir) throw usageError(`${dir}: not a directory`)
    const level = (values['log-level'] ?? 'info') as LogLevel
    if (!['debug', 'info', 'warn', 'error'].includes(level))
      throw usageError('--log-level must be debug, info, warn or error')
    const handle = await startLocal({
      dir,
      stateDir: values.state,
      listen: values.listen,
      proxy: values.proxy,
      admin: values.admin,
      log: createLogger((line) => process.stderr.write(`${line}\n`), level),
    })
    io.out(banner(dir, handle))
    return waitForSignal(handle, io)
  },
}

function banner(dir: string, h: LocalHandle): string {
  const next = nextRollout(h)
  return [
    `fledge is running ${dir} (local mode)`,
    `  dashboard  ${h.api}/`,
    `  API        ${h.api}/api/v1/canaries`,
    `  proxy      http://${h.proxy}   (admin http://${h.admin}/metrics)`,
    `  state      ${relative(process.cwd(), h.stateDir) || '.'}   (API token in ${relative(process.cwd(), join(h.stateDir, 'token'))})`,
    '',
    ...(next === undefined
      ? []
      : [
          `Start a rollout:  npx fledge set image ${next}`,
          `Follow it:        npx fledge status ${next.split(' ')[0]?.split('/')[1] ?? ''} --watch`,
        ]),
    'Press Ctrl-C to stop everything.',
  ].join('\n')
}

/** `deployment/books books=booksapp:v2`: the first Canary's target, bumped to the next catalog image. */
function nextRollout(h: LocalHandle): string | undefined {
  const cluster = h.platform.cluster
  for (const canary of cluster.validCanaries.values()) {
    const d = cluster.deployment(canary)
    const c = d?.spec.template.spec.containers[0]
    if (d === undefined || c === undefined) continue
    const repo = c.image.split(':')[0] ?? c.image
    const candidates = [...(cluster.manifests?.images.keys() ?? [])]
      .filter((i) => i.startsWith(`${repo}:`) && i !== c.image && !i.includes('broken'))
      .sort()
    const image = candidates[0]
    if (image !== undefined) return `deployment/${d.metadata.name} ${c.name}=${image}`
  }
  return undefined
}

async function waitForSignal(handle: LocalHandle, io: Console): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false
    const stop = (signal: string): void => {
      if (stopping) return
      stopping = true
      io.err(`\n${signal}: stopping everything...`)
      handle.close().then(
        () => {
          resolve(0)
        },
        (err: unknown) => {
          io.err(`fledge run: ${errorMessage(err)}`)
          resolve(1)
        },
      )
    }
    process.once('SIGINT', () => {
      stop('SIGINT')
    })
    process.once('SIGTERM', () => {
      stop('SIGTERM')
    })
  })
}
