import type { Canary } from '../../src/api/canary.js'
import type { Metric } from '../../src/api/canary-spec.js'
import type { MetricTemplate } from '../../src/api/metric-template.js'

/** A Canary with the given metrics (Flagger's shape, fledge's apiVersion). */
export function canaryWith(
  metrics: Metric[],
  opts: {
    name?: string
    namespace?: string
    target?: string
    provider?: 'fledge' | 'linkerd'
  } = {},
): Canary {
  return {
    apiVersion: 'fledge.dev/v1beta1',
    kind: 'Canary',
    metadata: { name: opts.name ?? 'podinfo', namespace: opts.namespace ?? 'default' },
    spec: {
      ...(opts.provider !== undefined ? { provider: opts.provider } : {}),
      targetRef: { kind: 'Deployment', name: opts.target ?? 'podinfo' },
      service: { port: 9898 },
      analysis: { interval: '10s', threshold: 5, stepWeight: 10, maxWeight: 50, metrics },
    },
  }
}

export function template(name: string, query: string, address: string): MetricTemplate {
  return {
    apiVersion: 'fledge.dev/v1beta1',
    kind: 'MetricTemplate',
    metadata: { name },
    spec: { provider: { type: 'prometheus', address }, query },
  }
}
