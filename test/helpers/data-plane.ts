import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'

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

/** What the data plane served: the truth the checks are compared with. */
export interface TrafficResult {
  readonly requests: number
  readonly failures: number
  /**
   * Latency of every request, in ms: as recorded (the exporter), or as the backend served it
   * (the proxy, whose time to first byte adds only its own forwarding to it).
   */
  readonly latenciesMs: readonly number[]
}

/**
 * The data plane under test: real requests to a real backend, measured and exported with Linkerd's
 * metric names (`response_total`, `response_latency_ms`) on both sides, outbound by destination and
 * inbound. Two implementations: `createExporterDataPlane` (linkerd-exporter.ts: the client measures
 * and records into a registry, as a proxy would) and `createProxyDataPlane` (proxy-data-plane.ts:
 * fledge's proxy carries the traffic and records it). A test swaps one for the other in one line.
 */
export interface DataPlane {
  /** `host:port` serving `/metrics`, for Prometheus to scrape. */
  readonly metricsTarget: string
  /** The registry behind `/metrics`, for the in-process provider. */
  readonly registry: Registry
  /**
   * Makes a workload's series exist before the traffic under test, so rate() has a baseline.
   * What it served doing so is included in `totals`.
   */
  declare(deployment: string, namespace?: string): Promise<void>
  send(plan: TrafficPlan): Promise<TrafficResult>
  /** Everything served for one workload so far (declare included). */
  totals(deployment: string, namespace?: string): TrafficResult
  close(): Promise<void>
}

/** A backend answering 500 when asked (`x-fail: 1`) after `x-delay-ms`. */
export interface Backend {
  readonly server: Server
  readonly port: number
  /**
   * How long the backend took to answer the request sent with `x-request-id: id`, in ms (from
   * its arrival to the response headers), then forgotten; undefined if it never arrived.
   */
  serviceTime(id: string): number | undefined
}

export async function startBackend(): Promise<Backend> {
  const times = new Map<string, number>()
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const arrived = performance.now()
    const delay = Number(req.headers['x-delay-ms'] ?? '0')
    const status = req.headers['x-fail'] === '1' ? 500 : 200
    const id = req.headers['x-request-id']
    setTimeout(() => {
      if (typeof id === 'string') times.set(id, performance.now() - arrived)
      res.writeHead(status, { 'content-type': 'text/plain' })
      res.end(status === 200 ? 'ok' : 'injected failure')
    }, delay)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    server,
    port: (server.address() as AddressInfo).port,
    serviceTime(id) {
      const t = times.get(id)
      times.delete(id)
      return t
    },
  }
}

export async function closeServer(s: Server): Promise<void> {
  s.closeAllConnections()
  await new Promise<void>((resolve) => {
    s.close(() => {
      resolve()
    })
  })
}

/**
 * Sends a plan's requests with bounded concurrency. `one` sends request i and returns its status
 * and the latency to count as the truth for it.
 */
export async function drive(
  plan: TrafficPlan,
  one: (fail: boolean, delayMs: number) => Promise<{ status: number; ms: number }>,
): Promise<TrafficResult & { statuses: number[] }> {
  const latenciesMs: number[] = []
  const statuses: number[] = []
  let failures = 0
  let next = 0
  const worker = async (): Promise<void> => {
    for (let i = next++; i < plan.requests; i = next++) {
      const { status, ms } = await one(plan.fail(i), plan.delayMs(i))
      latenciesMs.push(ms)
      statuses.push(status)
      if (status >= 500) failures++
    }
  }
  await Promise.all(Array.from({ length: plan.concurrency ?? 20 }, worker))
  return { requests: plan.requests, failures, latenciesMs, statuses }
}

/** Running totals per workload. */
export class Totals {
  readonly #by = new Map<string, { requests: number; failures: number; latenciesMs: number[] }>()

  add(deployment: string, namespace: string, r: TrafficResult): void {
    const key = `${namespace}/${deployment}`
    const t = this.#by.get(key) ?? { requests: 0, failures: 0, latenciesMs: [] }
    t.requests += r.requests
    t.failures += r.failures
    t.latenciesMs.push(...r.latenciesMs)
    this.#by.set(key, t)
  }

  get(deployment: string, namespace: string): TrafficResult {
    return (
      this.#by.get(`${namespace}/${deployment}`) ?? { requests: 0, failures: 0, latenciesMs: [] }
    )
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
