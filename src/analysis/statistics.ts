import { bucketOfRank, histogramQuantile, normalizeBuckets, type Bucket } from './histogram.js'
import { normalCdf } from './normal.js'

/** How a comparison decides; defaults in COMPARE_DEFAULTS. */
export interface CompareOptions {
  /** Confidence that a Failed verdict is right, e.g. 0.95. */
  readonly confidence: number
  /** Requests per side below which the verdict is Inconclusive. */
  readonly minSampleSize: number
  /** Tolerated degradation: percentage points (success rate) or milliseconds (latency). */
  readonly tolerance: number
}

export const COMPARE_DEFAULTS: CompareOptions = {
  confidence: 0.95,
  minSampleSize: 100,
  tolerance: 0,
}

/** The result of a comparison: what a Measurement needs. */
export interface Verdict {
  readonly outcome: 'Successful' | 'Failed' | 'Inconclusive'
  /** The canary's own value: its success rate (%) or its quantile latency (ms). */
  readonly value?: number
  /** Canary minus primary, in the same unit. */
  readonly difference?: number
  readonly message: string
}

/** Requests and failed requests of one side over the window. */
export interface Proportion {
  readonly total: number
  readonly failures: number
}

/**
 * Is the canary's failure rate worse than the primary's by more than `tolerance` points?
 * One-sided two-proportion z-test of H0: fc - fp <= δ against H1: fc - fp > δ. With δ = 0 the
 * standard error pools both sides (the textbook test of equal proportions); with δ > 0 the sides
 * are not assumed equal under H0, so each keeps its own variance. With Yates's continuity correction.
 */
export function compareSuccessRate(
  canary: Proportion,
  primary: Proportion,
  options: CompareOptions = COMPARE_DEFAULTS,
): Verdict {
  const sizes = sampleCheck(canary.total, primary.total, options.minSampleSize)
  if (sizes !== undefined) return sizes
  const nc = canary.total
  const np = primary.total
  const fc = clamp01(canary.failures / nc)
  const fp = clamp01(primary.failures / np)
  const delta = options.tolerance / 100
  const diff = fc - fp
  let se: number
  if (delta === 0) {
    const pooled = (canary.failures + primary.failures) / (nc + np)
    se = Math.sqrt(pooled * (1 - pooled) * (1 / nc + 1 / np))
  } else {
    se = Math.sqrt((fc * (1 - fc)) / nc + (fp * (1 - fp)) / np)
  }
  const alpha = 1 - options.confidence
  // Yates's continuity correction: counts are discrete, and without it the normal approximation
  // raises false alarms when failures are few (3 of 100 against 0 of 100 is not significant).
  const cc = 0.5 * (1 / nc + 1 / np)
  const z =
    se === 0
      ? diff > delta
        ? Number.POSITIVE_INFINITY
        : Number.NEGATIVE_INFINITY
      : (diff - delta - cc) / se
  const p = 1 - normalCdf(z)
  const worse = p < alpha
  const sr = (f: number): string => `${fmt(100 * (1 - f))}%`
  const points = 100 * (fp - fc)
  const facts =
    `canary success rate ${sr(fc)} (${round(nc - canary.failures)}/${round(nc)}) vs primary ${sr(fp)} ` +
    `(${round(np - primary.failures)}/${round(np)}), z=${fmt(z)}, p=${fmtP(p)}`
  return {
    outcome: worse ? 'Failed' : 'Successful',
    value: 100 * (1 - fc),
    difference: points,
    message: worse
      ? `${facts} < ${fmtP(alpha)}: canary is worse by more than ${options.tolerance} points at ${pct(options.confidence)} confidence`
      : `${facts} >= ${fmtP(alpha)}: no evidence at ${pct(options.confidence)} confidence that the canary is worse by more than ${options.tolerance} points`,
  }
}

/**
 * Is the canary's q-quantile latency higher than the primary's by more than `tolerance` ms?
 * Distribution-free confidence bounds from order statistics (the count of observations above the
 * true quantile is Binomial(n, 1 - q), computed exactly): a lower bound for the canary and an upper
 * bound for the primary, each at confidence 1 - α/2 so both hold together with 1 - α. A bound is
 * the edge of the bucket holding its order statistic, so it holds whatever the shape inside buckets.
 * Failed when canaryLower > primaryUpper + tolerance.
 */
export function compareLatency(
  canary: readonly Bucket[],
  primary: readonly Bucket[],
  options: CompareOptions = COMPARE_DEFAULTS,
  q = 0.99,
): Verdict {
  const c = normalizeBuckets(canary)
  const pr = normalizeBuckets(primary)
  if (c === undefined || pr === undefined) {
    return { outcome: 'Inconclusive', message: 'latency histogram has no +Inf bucket' }
  }
  const nc = c[c.length - 1]?.count ?? 0
  const np = pr[pr.length - 1]?.count ?? 0
  const sizes = sampleCheck(nc, np, options.minSampleSize)
  if (sizes !== undefined) return sizes
  const ranks = orderStatisticRanks(Math.round(nc), Math.round(np), q, (1 - options.confidence) / 2)
  const canaryLow = ranks.lower < 1 ? 0 : (bucketOfRank(c, ranks.lower)?.lower ?? 0)
  const primaryHigh = bucketOfRank(pr, ranks.upper)?.upper ?? Number.POSITIVE_INFINITY
  const qc = histogramQuantile(q, c)
  const qp = histogramQuantile(q, pr)
  const name = `p${fmt(q * 100)}`
  const facts =
    `canary ${name} ${fmt(qc)}ms (n=${round(nc)}, lower bound ${fmt(canaryLow)}ms) vs primary ${name} ` +
    `${fmt(qp)}ms (n=${round(np)}, upper bound ${fmt(primaryHigh)}ms)`
  if (primaryHigh === Number.POSITIVE_INFINITY) {
    return {
      outcome: 'Inconclusive',
      value: qc,
      difference: qc - qp,
      message: `${facts}: too few primary requests to bound its ${name} at ${pct(options.confidence)} confidence`,
    }
  }
  const worse = canaryLow > primaryHigh + options.tolerance
  return {
    outcome: worse ? 'Failed' : 'Successful',
    value: qc,
    difference: qc - qp,
    message: worse
      ? `${facts}: canary is slower by more than ${options.tolerance}ms at ${pct(options.confidence)} confidence`
      : `${facts}: no evidence at ${pct(options.confidence)} confidence that the canary is slower by more than ${options.tolerance}ms`,
  }
}

/**
 * Ranks of the order statistics that bound the q-quantile, from the exact binomial distribution:
 * the count A of observations above the true quantile is Binomial(n, 1 - q). `lower` is the rank
 * (in a sample of nLower) at or below the quantile with probability >= 1 - alpha; `upper` the rank
 * (in a sample of nUpper) at or above it with probability >= 1 - alpha; upper > nUpper when no
 * order statistic can bound it (too few observations).
 */
export function orderStatisticRanks(
  nLower: number,
  nUpper: number,
  q: number,
  alpha: number,
): { lower: number; upper: number } {
  // X(l) <= ξ  ⇔  A <= n - l: take the smallest a with P(A <= a) >= 1 - alpha, l = n - a.
  const aHigh = binomialQuantile(nLower, 1 - q, (cdf) => cdf >= 1 - alpha)
  // X(u) >= ξ  ⇔  A >= n - u + 1: take the largest a with P(A <= a) <= alpha, u = n - a.
  const aLow = binomialQuantile(nUpper, 1 - q, (cdf) => cdf > alpha) - 1
  return { lower: nLower - aHigh, upper: aLow < 0 ? nUpper + 1 : nUpper - aLow }
}

/** The smallest k in 0..n whose Binomial(n, p) CDF satisfies `done` (n + 1 if none). */
function binomialQuantile(n: number, p: number, done: (cdf: number) => boolean): number {
  if (p <= 0) return done(1) ? 0 : n + 1
  if (p >= 1) return done(0) ? 0 : done(1) ? n : n + 1
  // log pmf by the recurrence pmf(k+1) = pmf(k) · (n-k)/(k+1) · p/(1-p); terms far below the
  // mode underflow to 0 harmlessly, and the walk stops at the answer (near the mean).
  const ratio = Math.log(p) - Math.log1p(-p)
  let logPmf = n * Math.log1p(-p)
  let cdf = 0
  for (let k = 0; k <= n; k++) {
    cdf += Math.exp(logPmf)
    if (done(Math.min(1, cdf))) return k
    logPmf += Math.log(n - k) - Math.log(k + 1) + ratio
  }
  return n + 1
}

function sampleCheck(nc: number, np: number, min: number): Verdict | undefined {
  if (nc >= min && np >= min) return undefined
  return {
    outcome: 'Inconclusive',
    message: `not enough traffic yet: canary ${round(nc)} requests, primary ${round(np)}; need at least ${min} per side`,
  }
}

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x))
const round = (x: number): number => Math.round(x)
const pct = (x: number): string => `${fmt(x * 100)}%`
function fmt(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN'
  return String(Number(x.toFixed(x !== 0 && Math.abs(x) < 0.01 ? 4 : 2)))
}
function fmtP(p: number): string {
  return p !== 0 && p < 0.0001 ? p.toExponential(1) : String(Number(p.toFixed(4)))
}
