import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Counter, Histogram, Registry } from 'prom-client'
import { Agent } from 'undici'

/** Linkerd's `response_latency_ms` bucket bounds (linkerd/metrics/src/latency.rs), in ms. */
export const LINKERD_LATENCY_BUCKETS = [
  1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000,
  20000, 30000, 40000, 50000,
] as const

/** One batch of real requests to a backend, each told to fail or not and how long to take. */
export interface TrafficPlan {
  readonly namespace?: string
  /** The workload the responses come from: the canary target or `<target>-primary`. */
  readonly deployment: string
  readonly requests: number
  /** Whether request i is answered with a 500. */
  readonly fail: (i: number) => boolean
  /** How long the backend waits before answering request i, in ms. */
  readonly delayMs: (i: number) => number
  /** Requests in flight at once; default 20. */
  readonly concurrency?: number
}

/** What the data plane measured: the truth the checks are compared with. */
export interface TrafficResult {
  readonly requests: number
  readonly failures: number
  /** Latency of every request as recorded in the histogram, in ms. */
  readonly latenciesMs: readonly number[]
}

/**
 * The data plane under test: real requests to a real backend, measured and exported with Linkerd's
 * metric names. Two implementations: this file's exporter (the client measures and records, as a
 * proxy would) and, once it lands on main, fledge's proxy (swap the factory in the test: one line).
 */
export interface DataPlane {
  /** `host:port` serving `/metrics`, for Prometheus to scrape. */
  readonly metricsTarget: string
  /** The registry behind `/metrics`, for the in-process provider. */
  readonly registry: Registry
  /** Creates the series of a workload at zero, so rate() sees them before traffic starts. */
  declare(deployment: string, namespace?: string): void
  send(plan: TrafficPlan): Promise<TrafficResult>
  close(): Promise<void>
}

/** A backend answering 500 when asked (`x-fail: 1`) after `x-delay-ms`. */
async function startBackend(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const delay = Number(req.headers['x-delay-ms'] ?? '0')
    const status = req.headers['x-fail'] === '1' ? 500 : 200
    setTimeout(() => {
      res.writeHead(status, { 'content-type': 'text/plain' })
      res.end(status === 200 ? 'ok' : 'injected failure')
    }, delay)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { server, origin: `http://127.0.0.1:${port}` }
}

/** The exporter data plane: prom-client registry with Linkerd's names, served on port 0. */
export async function createExporterDataPlane(): Promise<DataPlane> {
  const registry = new Registry()
  // The label set of fledge's proxy (and Linkerd's): each response is recorded on the client side
  // (outbound, by destination) and as the destination's own proxy sees it (inbound).
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
  const sides = (deployment: string, namespace: string, status: number) => {
    const authority = `${deployment}.${namespace}.svc.cluster.local`
    const code = String(status)
    return [
      {
        direction: 'outbound',
        authority,
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
  const record = (deployment: string, namespace: string, status: number, ms: number): void => {
    for (const l of sides(deployment, namespace, status)) {
      responses.inc({ ...l, classification: classify(status) })
      latency.observe(l, ms)
    }
  }
  return {
    metricsTarget: `127.0.0.1:${(metrics.address() as AddressInfo).port}`,
    registry,
    declare(deployment, namespace = 'default') {
      for (const status of [200, 500]) {
        for (const l of sides(deployment, namespace, status)) {
          responses.inc({ ...l, classification: classify(status) }, 0)
          latency.zero(l)
        }
      }
    },
    async send(plan) {
      const namespace = plan.namespace ?? 'default'
      const latenciesMs: number[] = []
      let failures = 0
      let next = 0
      const worker = async (): Promise<void> => {
        for (let i = next++; i < plan.requests; i = next++) {
          const fail = plan.fail(i)
          const started = performance.now()
          const res = await agent.request({
            origin: backend.origin,
            path: '/',
            method: 'GET',
            headers: { 'x-fail': fail ? '1' : '0', 'x-delay-ms': String(plan.delayMs(i)) },
          })
          const ms = performance.now() - started
          await res.body.dump()
          if (res.statusCode >= 500) failures++
          latenciesMs.push(ms)
          record(plan.deployment, namespace, res.statusCode, ms)
        }
      }
      await Promise.all(Array.from({ length: plan.concurrency ?? 20 }, worker))
      return { requests: plan.requests, failures, latenciesMs }
    },
    async close() {
      await agent.close()
      await Promise.all(
        [metrics, backend.server].map(
          (s) =>
            new Promise<void>((resolve) => {
              s.closeAllConnections()
              s.close(() => {
                resolve()
              })
            }),
        ),
      )
    },
  }
}

/** A small seeded PRNG (mulberry32), for reproducible traffic. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Exactly round(n·share) failures, spread evenly: request i fails when the running quota steps. */
export function evenly(share: number): (i: number) => boolean {
  return (i) => Math.floor((i + 1) * share) > Math.floor(i * share)
}

/** The true q-quantile of observed values (nearest rank). */
export function trueQuantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN
}

/** Index of the Linkerd bucket holding a value (the +Inf bucket is the last index). */
export function bucketIndex(ms: number): number {
  const i = LINKERD_LATENCY_BUCKETS.findIndex((le) => ms <= le)
  return i === -1 ? LINKERD_LATENCY_BUCKETS.length : i
}
