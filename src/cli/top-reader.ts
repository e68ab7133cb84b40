import { computeStats, formatStatTable, type Sample, type StatRow } from '../proxy/stat.js'
import { readWeights, scrape } from './stat.js'

export { readWeights }

/** What `fledge top` reads from the proxy's admin server: `fledge stat`'s arithmetic, repeated. */
export type Series = Sample

/** GET http://ADMIN/metrics, parsed; a typed error when the admin server cannot be read. */
export const scrapeAdmin: (admin: string) => Promise<Series[]> = scrape

/** Rows grouped by service as `fledge stat` has them, the busiest service first. */
export function busiestFirst(rows: readonly StatRow[]): StatRow[] {
  const load = new Map<string, number>()
  for (const r of rows) load.set(r.service, Math.max(load.get(r.service) ?? 0, r.requests))
  const order = [...load.keys()].sort(
    (a, b) => (load.get(b) ?? 0) - (load.get(a) ?? 0) || a.localeCompare(b),
  )
  return order.flatMap((s) => rows.filter((r) => r.service === s))
}

/** The `top` table for the traffic between two scrapes `seconds` apart. */
export function trafficTable(
  before: readonly Series[],
  after: readonly Series[],
  seconds: number,
  weights: ReadonlyMap<string, string> = new Map(),
): string {
  const rows = computeStats(before, after, seconds).filter((r) => r.requests > 0)
  if (rows.length === 0) return 'No traffic in the last interval.'
  return formatStatTable(busiestFirst(rows), weights)
}
