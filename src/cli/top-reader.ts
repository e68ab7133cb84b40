import { request } from 'undici'
import { ErrorCodes, FledgeError, errorMessage } from '../util/errors.js'
import { formatTable } from './render/table.js'

/**
 * What `fledge top` reads from the proxy's admin server. A stop-gap of its own until the proxy's
 * `fledge stat` arithmetic (src/proxy/stat.ts) is on main: then `scrapeAdmin` and `trafficTable`
 * become thin wrappers over its `scrape`, `computeStats` and `formatStatTable`.
 */
export interface Series {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

/** The Prometheus text format, the subset prom-client writes. */
export function parseMetrics(text: string): Series[] {
  const out: Series[] = []
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line)
    if (m === null) continue
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1] ?? ''] = (l[2] ?? '').replace(/\\(.)/g, '$1')
    }
    const value = m[3] === '+Inf' ? Infinity : Number(m[3])
    if (!Number.isNaN(value)) out.push({ name: m[1] ?? '', labels, value })
  }
  return out
}

/** GET http://ADMIN/metrics, parsed. */
export async function scrapeAdmin(admin: string): Promise<Series[]> {
  try {
    const r = await request(`http://${admin}/metrics`, { headersTimeout: 5000, bodyTimeout: 5000 })
    const text = await r.body.text()
    if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`)
    return parseMetrics(text)
  } catch (err) {
    throw new FledgeError(
      ErrorCodes.BACKEND_UNAVAILABLE,
      `cannot read metrics from the proxy admin at ${admin}: ${errorMessage(err)}; is fledge run (or fledge proxy) running?`,
    )
  }
}

interface Acc {
  ok: number
  bad: number
  buckets: Map<number, number>
}

/** Outbound traffic per `authority → dst_service` between two scrapes. */
function deltas(before: readonly Series[], after: readonly Series[]): Map<string, Acc> {
  const acc = new Map<string, Acc>()
  const add = (series: readonly Series[], sign: number): void => {
    for (const s of series) {
      if (s.labels['direction'] !== 'outbound') continue
      const key = `${s.labels['authority'] ?? ''}\u0000${s.labels['dst_service'] ?? ''}`
      const a = acc.get(key) ?? { ok: 0, bad: 0, buckets: new Map<number, number>() }
      acc.set(key, a)
      if (s.name === 'response_total') {
        if (s.labels['classification'] === 'success') a.ok += sign * s.value
        else if (s.labels['classification'] === 'failure') a.bad += sign * s.value
      } else if (s.name === 'response_latency_ms_bucket') {
        const le = s.labels['le'] === '+Inf' ? Infinity : Number(s.labels['le'])
        a.buckets.set(le, (a.buckets.get(le) ?? 0) + sign * s.value)
      }
    }
  }
  add(after, 1)
  add(before, -1)
  return acc
}

/** histogram_quantile over cumulative buckets; the +Inf bucket answers with the last bound. */
export function quantile(q: number, buckets: ReadonlyMap<number, number>): number | undefined {
  const sorted = [...buckets].sort((a, b) => a[0] - b[0])
  const total = sorted.at(-1)?.[1] ?? 0
  if (total <= 0) return undefined
  const rank = q * total
  let prev: [number, number] = [0, 0]
  for (const [bound, count] of sorted) {
    if (count >= rank) {
      if (bound === Infinity) return prev[0]
      if (count === prev[1]) return bound
      return prev[0] + ((bound - prev[0]) * (rank - prev[1])) / (count - prev[1])
    }
    prev = [bound, count]
  }
  return prev[0]
}

/** The `top` table: busiest first, with `linkerd viz stat`'s number formats. */
export function trafficTable(
  before: readonly Series[],
  after: readonly Series[],
  seconds: number,
): string {
  const rows = [...deltas(before, after)]
    .map(([key, a]) => {
      const [service = '', backend = ''] = key.split('\u0000')
      return { service, backend: backend === '' ? '-' : backend, ...a, n: a.ok + a.bad }
    })
    .filter((r) => r.n > 0)
    .sort((x, y) => y.n - x.n || x.service.localeCompare(y.service))
  if (rows.length === 0) return 'No traffic in the last interval.'
  const ms = (v: number | undefined): string => (v === undefined ? '-' : `${Math.round(v)}ms`)
  return formatTable(
    ['SERVICE', 'BACKEND', 'SUCCESS', 'RPS', 'LATENCY_P50', 'LATENCY_P95', 'LATENCY_P99'],
    rows.map((r) => [
      r.service,
      r.backend,
      `${((100 * r.ok) / r.n).toFixed(2)}%`,
      `${(seconds > 0 ? r.n / seconds : 0).toFixed(1)}rps`,
      ms(quantile(0.5, r.buckets)),
      ms(quantile(0.95, r.buckets)),
      ms(quantile(0.99, r.buckets)),
    ]),
  )
}
