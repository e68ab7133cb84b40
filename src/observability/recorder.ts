import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import { PHASES, type Phase } from '../api/canary-status.js'

type Labels = 'namespace' | 'name'

/** Controller metrics, on an injected registry (never prom-client's global one). */
export interface Recorder {
  status(ns: string, name: string, phase: Phase, weightPercent: number, failedChecks: number): void
  result(ns: string, name: string, result: 'succeeded' | 'failed', durationMs: number): void
}

export function createRecorder(registry: Registry): Recorder {
  const registers = [registry]
  const phase = new Gauge<Labels | 'phase'>({
    name: 'fledge_canary_status',
    help: 'Canary phase: 1 for the phase the Canary is in, 0 for the others',
    labelNames: ['namespace', 'name', 'phase'],
    registers,
  })
  const weight = new Gauge<Labels>({
    name: 'fledge_canary_weight',
    help: 'Canary traffic weight in percent',
    labelNames: ['namespace', 'name'],
    registers,
  })
  const failed = new Gauge<Labels>({
    name: 'fledge_canary_failed_checks',
    help: 'Failed checks in the current rollout',
    labelNames: ['namespace', 'name'],
    registers,
  })
  const total = new Counter<Labels | 'result'>({
    name: 'fledge_canary_rollouts_total',
    help: 'Finished rollouts by result (succeeded, failed)',
    labelNames: ['namespace', 'name', 'result'],
    registers,
  })
  const duration = new Histogram<Labels>({
    name: 'fledge_canary_duration_seconds',
    help: 'Duration of finished rollouts',
    labelNames: ['namespace', 'name'],
    buckets: [10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
    registers,
  })
  return {
    status(namespace, name, current, weightPercent, failedChecks) {
      for (const p of PHASES) phase.set({ namespace, name, phase: p }, p === current ? 1 : 0)
      weight.set({ namespace, name }, weightPercent)
      failed.set({ namespace, name }, failedChecks)
    },
    result(namespace, name, result, durationMs) {
      total.inc({ namespace, name, result })
      duration.observe({ namespace, name }, durationMs / 1000)
    },
  }
}
