import { Counter, Gauge, type Registry } from 'prom-client'
import type { Canary } from '../api/canary.js'
import type { Measurement } from '../api/canary-status.js'

/** Records each check's result as controller metrics, so users can graph why a step passed. */
export interface AnalysisMetrics {
  record(canary: Canary, measurement: Measurement): void
}

/**
 * `fledge_canary_metric_analysis{namespace,name,metric}`: the last value of each check, in the
 * metric's own unit (request-duration in milliseconds, unlike Flagger's seconds);
 * `fledge_canary_metric_checks_total{namespace,name,metric,outcome}`: checks run, by outcome.
 * Registered on the injected registry, never on prom-client's global one.
 */
export function createAnalysisMetrics(registry: Registry): AnalysisMetrics {
  const gauge = new Gauge<'namespace' | 'name' | 'metric'>({
    name: 'fledge_canary_metric_analysis',
    help: 'Last value of each canary analysis check, in the unit of the metric',
    labelNames: ['namespace', 'name', 'metric'],
    registers: [registry],
  })
  const checks = new Counter<'namespace' | 'name' | 'metric' | 'outcome'>({
    name: 'fledge_canary_metric_checks_total',
    help: 'Canary analysis checks run, by outcome (Successful, Failed, Inconclusive, Error)',
    labelNames: ['namespace', 'name', 'metric', 'outcome'],
    registers: [registry],
  })
  return {
    record(canary, m) {
      const labels = {
        namespace: canary.metadata.namespace ?? 'default',
        name: canary.metadata.name,
        metric: m.metric,
      }
      if (m.value !== undefined && Number.isFinite(m.value)) gauge.set(labels, m.value)
      checks.inc({ ...labels, outcome: m.outcome })
    },
  }
}
