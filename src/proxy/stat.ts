/**
 * `fledge stat` arithmetic, pure: two scrapes of the proxy's /metrics, some seconds apart, give per
 * service and backend the success rate, requests per second and latency quantiles, the way
 * `linkerd viz stat` computes them from Prometheus (success / (success + failure) of
 * response_total; histogram_quantile over response_latency_ms buckets).
 */

export interface Sample {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

/** Parses the Prometheus text format (the subset prom-client writes). */
export function parsePrometheusText(text: string): Sample[] {
  const out: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line)
    if (m === null) continue
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1] ?? ''] = (l[2] ?? '').replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c))
    }
    const value = m[3] === '+Inf' ? Infinity : Number(m[3])
    out.push({ name: m[1] ?? '', labels, value })
  }
  return out
}

export interface StatRow {
  readonly service: string
  /** `(all)` for the service as a whole. */
  readonly backend: string
  readonly requests: number
  readonly success: number | undefined
  readonly rps: number
  readonly p50: number | undefined
  readonly p95: number | undefined
  readonly p99: number | undefined
}

/**
 * Rows per (authority, dst_service) from the outbound series, plus an `(all)` row per service,
 * over the interval between two scrapes.
 */
export function computeStats(
  before: readonly Sample[],
  after: readonly Sample[],
  seconds: number,
): StatRow[] {
  const delta = (name: string, key: (s: Sample) => string | undefined): Map<string, number> => {
    const acc = new Map<string, number>()
    const add = (samples: readonly Sample[], sign: number): void => {
      for (const s of samples) {
        if (s.name !== name || s.labels['direction'] !== 'outbound') continue
        const k = key(s)
        if (k === undefined) continue
        acc.set(k, (acc.get(k) ?? 0) + sign * s.value)
      }
    }
    add(after, 1)
    add(before, -1)
    return acc
  }
  const rows: StatRow[] = []
  const pairs = new Set<string>()
  for (const s of after) {
    if (s.name === 'response_total' && s.labels['direction'] === 'outbound') {
      pairs.add(`${s.labels['authority'] ?? ''}\u0000${s.labels['dst_service'] ?? ''}`)
    }
  }
  const services = new Set([...pairs].map((p) => p.split('\u0000')[0] ?? ''))
  const groups: { service: string; backend: string; match: (s: Sample) => boolean }[] = []
  for (const svc of [...services].sort()) {
    const backends = [...pairs]
      .filter((p) => p.startsWith(`${svc}\u0000`))
      .map((p) => p.split('\u0000')[1] ?? '')
    for (const b of backends.sort()) {
      groups.push({
        service: svc,
        backend: b === '' ? '(none)' : b,
        match: (s) => s.labels['authority'] === svc && (s.labels['dst_service'] ?? '') === b,
      })
    }
    if (backends.length > 1)
      groups.push({ service: svc, backend: '(all)', match: (s) => s.labels['authority'] === svc })
  }
  for (const g of groups) {
    const cls = delta('response_total', (s) =>
      g.match(s) ? (s.labels['classification'] ?? '') : undefined,
    )
    const ok = cls.get('success') ?? 0
    const bad = cls.get('failure') ?? 0
    const n = ok + bad
    const buckets = delta('response_latency_ms_bucket', (s) =>
      g.match(s) ? (s.labels['le'] ?? '') : undefined,
    )
    const cumulative = [...buckets.entries()]
      .map(([le, count]): [number, number] => [le === '+Inf' ? Infinity : Number(le), count])
      .sort((a, b) => a[0] - b[0])
    rows.push({
      service: g.service,
      backend: g.backend,
      requests: n,
      success: n > 0 ? ok / n : undefined,
      rps: seconds > 0 ? n / seconds : 0,
      p50: histogramQuantile(0.5, cumulative),
      p95: histogramQuantile(0.95, cumulative),
      p99: histogramQuantile(0.99, cumulative),
    })
  }
  return rows
}

/**
 * Prometheus's histogram_quantile: linear interpolation inside the bucket holding the rank; the
 * +Inf bucket answers with the highest finite bound. `buckets` are cumulative, sorted by bound.
 */
export function histogramQuantile(
  q: number,
  buckets: readonly (readonly [number, number])[],
): number | undefined {
  const last = buckets[buckets.length - 1]
  if (last === undefined || last[1] <= 0) return undefined
  const rank = q * last[1]
  let prevBound = 0
  let prevCount = 0
  for (const [bound, count] of buckets) {
    if (count >= rank) {
      if (bound === Infinity) return prevBound
      if (count === prevCount) return bound
      return prevBound + ((bound - prevBound) * (rank - prevCount)) / (count - prevCount)
    }
    prevBound = bound
    prevCount = count
  }
  return prevBound
}

/** Split weights by `service/backend` from the admin server's `/config`, as `900m`. */
export function splitWeights(config: unknown): Map<string, string> {
  const out = new Map<string, string>()
  const splits = (config as { trafficSplits?: unknown } | null)?.trafficSplits
  if (!Array.isArray(splits)) return out
  for (const s of splits as { service?: unknown; backends?: unknown }[]) {
    if (typeof s.service !== 'string' || !Array.isArray(s.backends)) continue
    for (const b of s.backends as { service?: unknown; weight?: unknown }[]) {
      if (typeof b.service === 'string' && typeof b.weight === 'string')
        out.set(`${s.service}/${b.service}`, b.weight)
    }
  }
  return out
}

/** Formats rows as `linkerd viz stat` does: `%.2f%%`, `%.1frps`, `%dms`, `-` without data. */
export function formatStatTable(
  rows: readonly StatRow[],
  weights: ReadonlyMap<string, string> = new Map(),
): string {
  const header = [
    'SERVICE',
    'BACKEND',
    'WEIGHT',
    'SUCCESS',
    'RPS',
    'LATENCY_P50',
    'LATENCY_P95',
    'LATENCY_P99',
  ]
  const ms = (v: number | undefined): string => (v === undefined ? '-' : `${Math.round(v)}ms`)
  const body = rows.map((r) => [
    r.service,
    r.backend,
    weights.get(`${r.service}/${r.backend}`) ?? '-',
    r.success === undefined ? '-' : `${(r.success * 100).toFixed(2)}%`,
    r.requests === 0 ? '-' : `${r.rps.toFixed(1)}rps`,
    ms(r.p50),
    ms(r.p95),
    ms(r.p99),
  ])
  const all = [header, ...body]
  const widths = header.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)))
  return all
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('   ')
        .trimEnd(),
    )
    .join('\n')
}
