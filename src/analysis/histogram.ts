/** One cumulative histogram bucket: observations less than or equal to `le`. */
export interface Bucket {
  readonly le: number
  readonly count: number
}

/**
 * The quantile `q` of a cumulative histogram, exactly as PromQL's histogram_quantile computes it
 * (Prometheus 2.x `bucketQuantile`): linear interpolation inside the bucket holding rank q·n, the
 * lowest bucket starting at 0, the +Inf bucket answered with the highest finite bound, NaN when
 * there is no +Inf bucket or no observation, ±Inf for q outside [0, 1], counts made monotonic.
 */
export function histogramQuantile(q: number, input: readonly Bucket[]): number {
  if (Number.isNaN(q)) return Number.NaN
  if (q < 0) return Number.NEGATIVE_INFINITY
  if (q > 1) return Number.POSITIVE_INFINITY
  const buckets = normalizeBuckets(input)
  if (buckets === undefined || buckets.length < 2) return Number.NaN
  const observations = buckets[buckets.length - 1]?.count ?? 0
  if (!(observations > 0)) return Number.NaN
  return valueAtRank(buckets, q * observations)
}

/** Prometheus's interpolation of a (fractional) rank in normalized cumulative buckets. */
function valueAtRank(buckets: readonly Bucket[], rank: number): number {
  const last = buckets.length - 1
  // First bucket (the +Inf one excluded) whose cumulative count reaches the rank.
  const b = buckets.findIndex((x, i) => i < last && x.count >= rank)
  if (b === -1) return buckets[last - 1]?.le ?? Number.NaN
  const here = buckets[b] ?? { le: Number.NaN, count: 0 }
  if (b === 0 && here.le <= 0) return here.le
  const prev = b > 0 ? buckets[b - 1] : undefined
  const start = prev?.le ?? 0
  const below = prev?.count ?? 0
  return start + (here.le - start) * ((rank - below) / (here.count - below))
}

/** Buckets with the same bound (from series that differ only in a dropped label) are summed. */
function coalesce(sorted: readonly Bucket[]): { le: number; count: number }[] {
  const out: { le: number; count: number }[] = []
  for (const b of sorted) {
    const prev = out[out.length - 1]
    if (prev?.le === b.le) prev.count += b.count
    else out.push({ le: b.le, count: b.count })
  }
  return out
}

/** Parses a Prometheus `le` label value (`0.5`, `+Inf`). */
export function parseLe(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY
  return Number(text)
}

/** Cumulative buckets sorted by bound, with the +Inf bucket last; undefined if there is none. */
export function normalizeBuckets(input: readonly Bucket[]): Bucket[] | undefined {
  const sorted = coalesce([...input].sort((a, b) => a.le - b.le))
  if (sorted[sorted.length - 1]?.le !== Number.POSITIVE_INFINITY) return undefined
  // Prometheus forces cumulative counts to be monotonic (rate() of separate series may not be).
  let max = Number.NEGATIVE_INFINITY
  for (const b of sorted) {
    if (b.count < max) b.count = max
    else max = b.count
  }
  return sorted
}

/**
 * The bucket holding the observation of 1-based rank `rank`, as the interval (lower, upper]
 * that certainly contains it; undefined when the rank is outside 1..n.
 */
export function bucketOfRank(
  buckets: readonly Bucket[],
  rank: number,
): { lower: number; upper: number } | undefined {
  const n = buckets[buckets.length - 1]?.count ?? 0
  if (rank < 1 || rank > n) return undefined
  let lower = 0
  for (const b of buckets) {
    if (b.count >= rank) return { lower, upper: b.le }
    lower = b.le
  }
  return undefined
}
