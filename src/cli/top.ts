import { setTimeout as sleep } from 'node:timers/promises'
import { parseDuration } from '../util/duration.js'
import { errorMessage } from '../util/errors.js'
import { parseFlags, usageError } from './args.js'
import type { Command, Console } from './io.js'
import { CLEAR_HOME, isTerminal } from './render/ansi.js'
import { readWeights, scrapeAdmin, trafficTable, type Series } from './top-reader.js'

/** Where `top` reads; injected in tests. */
export interface TopSource {
  scrape(admin: string): Promise<Series[]>
  weights(admin: string): Promise<ReadonlyMap<string, string>>
  now(): number
}

const realSource: TopSource = {
  scrape: scrapeAdmin,
  weights: readWeights,
  now: () => Date.now(),
}

/** Runs `top` against `source`: one table per interval, `count` times (forever when undefined). */
export async function runTop(
  io: Console,
  source: TopSource,
  opts: { admin: string; intervalMs: number; count?: number | undefined },
): Promise<number> {
  const tty = isTerminal(io)
  let before = await source.scrape(opts.admin)
  let t0 = source.now()
  for (let i = 0; opts.count === undefined || i < opts.count; i++) {
    await sleep(opts.intervalMs)
    const after = await source.scrape(opts.admin)
    const t1 = source.now()
    const table = trafficTable(before, after, (t1 - t0) / 1000, await source.weights(opts.admin))
    const head = `proxy ${opts.admin}, every ${opts.intervalMs / 1000}s (${new Date(t1).toISOString()})`
    io.out(tty ? `${CLEAR_HOME}${head}\n\n${table}` : `${i === 0 ? '' : '\n'}${head}\n${table}`)
    before = after
    t0 = t1
  }
  return 0
}

/** `fledge top`: per-service traffic from the proxy's admin server, refreshed live. */
export const topCommand: Command = {
  name: 'top',
  summary: "live per-service traffic (success rate, RPS, latency) from the proxy's admin server",
  usage: 'fledge top [--admin 127.0.0.1:4191] [--interval 2s] [--count N]',
  async run(args, io) {
    const { values } = parseFlags(args, {
      admin: { type: 'string' },
      interval: { type: 'string' },
      count: { type: 'string' },
    })
    let intervalMs: number
    try {
      intervalMs = parseDuration(values.interval ?? '2s')
    } catch (err) {
      throw usageError(`--interval: ${errorMessage(err)}`)
    }
    if (intervalMs < 100) throw usageError('--interval must be at least 100ms')
    const count = values.count === undefined ? undefined : Number(values.count)
    if (count !== undefined && !(Number.isInteger(count) && count > 0)) {
      throw usageError('--count must be a positive integer')
    }
    return runTop(io, realSource, { admin: values.admin ?? '127.0.0.1:4191', intervalMs, count })
  },
}
