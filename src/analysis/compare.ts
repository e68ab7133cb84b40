import type { Metric } from '../api/canary-spec.js'
import { parseLe, type Bucket } from './histogram.js'
import type { MetricsProvider } from './metrics-provider.js'
import type { Observer } from './observers/observer.js'
import type { TemplateModel } from './render.js'
import { COMPARE_DEFAULTS, compareLatency, compareSuccessRate, type Verdict } from './statistics.js'

/**
 * Runs a builtin metric's canary-versus-primary comparison over the same window: request and
 * failure counts for success rate, latency histograms for request-duration.
 */
export async function compareMetric(
  metric: Metric,
  observer: Observer,
  provider: MetricsProvider,
  canary: TemplateModel,
  primary: TemplateModel,
  signal: AbortSignal,
): Promise<Verdict & { query: string }> {
  const options = {
    confidence: metric.compare?.confidence ?? COMPARE_DEFAULTS.confidence,
    minSampleSize: metric.compare?.minSampleSize ?? COMPARE_DEFAULTS.minSampleSize,
    tolerance: metric.compare?.tolerance ?? COMPARE_DEFAULTS.tolerance,
  }
  if (metric.name === 'request-success-rate') {
    const queries = [
      observer.requests(canary),
      observer.failures(canary),
      observer.requests(primary),
      observer.failures(primary),
    ]
    const [ct, cf, pt, pf] = await Promise.all(queries.map((q) => total(provider, q, signal)))
    const verdict = compareSuccessRate(
      { total: ct ?? 0, failures: cf ?? 0 },
      { total: pt ?? 0, failures: pf ?? 0 },
      options,
    )
    return { ...verdict, query: queries.map((q) => q.promql).join('; ') }
  }
  const queries = [observer.latencyBuckets(canary), observer.latencyBuckets(primary)]
  const [cb, pb] = await Promise.all(queries.map((q) => buckets(provider, q, signal)))
  return {
    ...compareLatency(cb ?? [], pb ?? [], options),
    query: queries.map((q) => q.promql).join('; '),
  }
}

/** An empty vector is zero here: no failure series means no failures. */
async function total(
  provider: MetricsProvider,
  q: Parameters<MetricsProvider['queryVector']>[0],
  signal: AbortSignal,
): Promise<number> {
  const samples = await provider.queryVector(q, signal)
  return samples.reduce((acc, s) => acc + (Number.isNaN(s.value) ? 0 : s.value), 0)
}

async function buckets(
  provider: MetricsProvider,
  q: Parameters<MetricsProvider['queryVector']>[0],
  signal: AbortSignal,
): Promise<Bucket[]> {
  const samples = await provider.queryVector(q, signal)
  const out = samples
    .filter((s) => s.labels['le'] !== undefined)
    .map((s) => ({ le: parseLe(s.labels['le'] ?? ''), count: Number.isNaN(s.value) ? 0 : s.value }))
  return out.length === 0 ? [{ le: Number.POSITIVE_INFINITY, count: 0 }] : out
}
