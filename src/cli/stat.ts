import { request } from 'undici'
import {
  computeStats,
  formatStatTable,
  parsePrometheusText,
  splitWeights,
  type Sample,
} from '../proxy/stat.js'
import { parseDuration } from '../util/duration.js'
import { ErrorCodes, FledgeError, errorMessage } from '../util/errors.js'
import { parseFlags } from './args.js'
import type { Command } from './io.js'

/** `fledge stat`: success rate, RPS and latency per service and backend, like `linkerd viz stat`. */
export const statCommand: Command = {
  name: 'stat',
  summary: "show a proxy's success rate, RPS and latency per service and backend",
  usage: 'fledge stat [SERVICE] [--admin 127.0.0.1:4191] [--window 2s] [-o table|json]',
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      {
        admin: { type: 'string' },
        window: { type: 'string' },
        output: { type: 'string', short: 'o' },
      },
      true,
    )
    const admin = values.admin ?? '127.0.0.1:4191'
    const windowMs = parseDuration(values.window ?? '2s')
    const before = await scrape(admin)
    const t0 = Date.now()
    await new Promise((r) => setTimeout(r, windowMs))
    const after = await scrape(admin)
    const seconds = (Date.now() - t0) / 1000
    const only = positionals[0]
    const rows = computeStats(before, after, seconds).filter(
      (r) => only === undefined || r.service === only,
    )
    if (values.output === 'json') io.out(JSON.stringify(rows, null, 2))
    else if (rows.length === 0) io.out('No traffic found.')
    else io.out(formatStatTable(rows, await readWeights(admin)))
    return 0
  },
}

/** Split weights by `service/backend` from the admin's `/config`; empty when it cannot be read. */
export async function readWeights(admin: string): Promise<Map<string, string>> {
  try {
    const r = await request(`http://${admin}/config`, { headersTimeout: 5000, bodyTimeout: 5000 })
    if (r.statusCode !== 200) {
      await r.body.dump()
      return new Map()
    }
    return splitWeights(await r.body.json())
  } catch {
    return new Map()
  }
}

export async function scrape(admin: string): Promise<Sample[]> {
  try {
    const r = await request(`http://${admin}/metrics`, { headersTimeout: 5000, bodyTimeout: 5000 })
    const text = await r.body.text()
    if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`)
    return parsePrometheusText(text)
  } catch (err) {
    throw new FledgeError(
      ErrorCodes.BACKEND_UNAVAILABLE,
      `cannot read metrics from the proxy admin at ${admin}: ${errorMessage(err)}`,
    )
  }
}
