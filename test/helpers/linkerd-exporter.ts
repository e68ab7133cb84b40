import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Counter, Histogram, Registry } from 'prom-client'
import { Agent } from 'undici'
import {
  closeServer,
  drive,
  LINKERD_LATENCY_BUCKETS,
  startBackend,
  Totals,
  type DataPlane,
} from './data-plane.js'

/**
 * The exporter data plane: the test client sends real requests to a real backend, measures them,
 * and records them, as fledge's proxy does, into a prom-client registry served on port 0:
 * `response_total` and `response_latency_ms` with the proxy's label set, each response once as the
 * client side (`direction="outbound"`, `dst_namespace`, `dst_deployment`) and once as the
 * destination's own proxy (`direction="inbound"`, `namespace`, `deployment`).
 */
export async function createExporterDataPlane(): Promise<DataPlane> {
  const registry = new Registry()
  const httpLabels = [
    'direction',
    'authority',
    'dst_service',
    'dst_deployment',
    'dst_namespace',
    'namespace',
    'deployment',
    'status_code',
  ] as const
  const responses = new Counter({
    name: 'response_total',
    help: 'responses by classification',
    labelNames: [...httpLabels, 'classification'],
    registers: [registry],
  })
  const latency = new Histogram({
    name: 'response_latency_ms',
    help: 'time to first byte, ms',
    labelNames: httpLabels,
    buckets: [...LINKERD_LATENCY_BUCKETS],
    registers: [registry],
  })
  const metrics = createServer((_req, res) => {
    registry
      .metrics()
      .then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType })
        res.end(text)
      })
      .catch(() => {
        res.writeHead(500)
        res.end()
      })
  })
  await new Promise<void>((resolve) => metrics.listen(0, '127.0.0.1', resolve))
  const backend = await startBackend()
  const agent = new Agent({ keepAliveTimeout: 10, connections: 64 })
  const totals = new Totals()
  const sides = (deployment: string, namespace: string, status: number) => {
    const code = String(status)
    return [
      {
        direction: 'outbound',
        authority: `${deployment}.${namespace}.svc.cluster.local`,
        dst_service: deployment,
        dst_deployment: deployment,
        dst_namespace: namespace,
        namespace: 'fledge-system',
        status_code: code,
      },
      { direction: 'inbound', namespace, deployment, status_code: code },
    ]
  }
  const classify = (status: number): string => (status >= 500 ? 'failure' : 'success')
  return {
    metricsTarget: `127.0.0.1:${(metrics.address() as AddressInfo).port}`,
    registry,
    declare(deployment, namespace = 'default') {
      // Series created at zero: no request is served.
      for (const status of [200, 500]) {
        for (const l of sides(deployment, namespace, status)) {
          responses.inc({ ...l, classification: classify(status) }, 0)
          latency.zero(l)
        }
      }
      return Promise.resolve()
    },
    async send(plan) {
      const namespace = plan.namespace ?? 'default'
      const result = await drive(plan, async (fail, delayMs) => {
        const started = performance.now()
        const res = await agent.request({
          origin: `http://127.0.0.1:${backend.port}`,
          path: '/',
          method: 'GET',
          headers: { 'x-fail': fail ? '1' : '0', 'x-delay-ms': String(delayMs) },
        })
        const ms = performance.now() - started
        await res.body.dump()
        for (const l of sides(plan.deployment, namespace, res.statusCode)) {
          responses.inc({ ...l, classification: classify(res.statusCode) })
          latency.observe(l, ms)
        }
        return { status: res.statusCode, ms }
      })
      totals.add(plan.deployment, namespace, result)
      return result
    },
    totals: (deployment, namespace = 'default') => totals.get(deployment, namespace),
    async close() {
      await agent.close()
      await Promise.all([closeServer(metrics), closeServer(backend.server)])
    },
  }
}
