/**
 * The proxy's metrics, with Linkerd's names and labels so Linkerd's (and Flagger's) PromQL works on
 * them unchanged. Every attempt sent to a backend is recorded twice: as the client side sees it
 * (`direction="outbound"`, `authority` = the service asked for, `dst_service` = the backend chosen)
 * and as the backend's own proxy would (`direction="inbound"`, `deployment`, `namespace` of the
 * backend). Label values only come from the routing table, never from raw request data, so the
 * number of series stays bounded.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'

/** `response_latency_ms` buckets, Linkerd's (linkerd/metrics/src/latency.rs). */
export const LATENCY_BUCKETS_MS = [
  1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000,
  20000, 30000, 40000, 50000,
]

const HTTP_LABELS = [
  'direction',
  'authority',
  'dst_service',
  'dst_deployment',
  'dst_namespace',
  'namespace',
  'deployment',
  'tls',
] as const
const RESPONSE_LABELS = [
  ...HTTP_LABELS,
  'status_code',
  'classification',
  'grpc_status',
  'error',
] as const
const TCP_LABELS = ['direction', 'peer'] as const

/** Why a response never came; the `error` label's values. */
export type ErrorKind = 'timeout' | 'connect' | 'reset' | 'unavailable' | 'internal'

type HttpLabels = Partial<Record<(typeof HTTP_LABELS)[number], string>>

/** Where an attempt went: the labels fixed for one (service, backend) pair. */
export interface Target {
  readonly authority: string
  /** Empty when no backend could be chosen. */
  readonly backend: string
  readonly deployment: string
  readonly namespace: string
}

interface Children {
  readonly outbound: HttpLabels
  readonly inbound: HttpLabels | undefined
  readonly request: Counter.Internal
  readonly inboundRequest: Counter.Internal | undefined
  readonly responses: Map<string, Counter.Internal[]>
  readonly latency: Map<number, Histogram.Internal<string>[]>
}

export class ProxyMetrics {
  readonly registry: Registry
  readonly #request: Counter
  readonly #response: Counter
  readonly #latency: Histogram
  readonly #tcpOpen: Counter
  readonly #tcpClose: Counter
  readonly #tcpOpenConns: Gauge
  readonly #retries: Counter
  readonly #unknown: Counter
  readonly #reloads: Counter
  readonly #tableVersion: Gauge
  readonly #proxyNamespace: string
  // Children are cached: prom-client hashes the label object on every call otherwise.
  readonly #children = new Map<string, Children>()

  constructor(registry: Registry, proxyNamespace: string) {
    this.registry = registry
    this.#proxyNamespace = proxyNamespace
    const registers = [registry]
    this.#request = new Counter({
      name: 'request_total',
      help: 'Requests sent to a backend (one per attempt)',
      labelNames: HTTP_LABELS,
      registers,
    })
    this.#response = new Counter({
      name: 'response_total',
      help: 'Responses (or failures to get one), counted when the response ends',
      labelNames: RESPONSE_LABELS,
      registers,
    })
    this.#latency = new Histogram({
      name: 'response_latency_ms',
      help: 'Time to the first byte of the response, in milliseconds',
      labelNames: [...HTTP_LABELS, 'status_code'],
      buckets: LATENCY_BUCKETS_MS,
      registers,
    })
    this.#tcpOpen = new Counter({
      name: 'tcp_open_total',
      help: 'TCP connections opened',
      labelNames: TCP_LABELS,
      registers,
    })
    this.#tcpClose = new Counter({
      name: 'tcp_close_total',
      help: 'TCP connections closed',
      labelNames: [...TCP_LABELS, 'classification'],
      registers,
    })
    this.#tcpOpenConns = new Gauge({
      name: 'tcp_open_connections',
      help: 'TCP connections open now',
      labelNames: TCP_LABELS,
      registers,
    })
    this.#retries = new Counter({
      name: 'proxy_retry_total',
      help: 'Retries of failed attempts; outcome="no_budget" when the retry budget refused one',
      labelNames: ['authority', 'outcome'],
      registers,
    })
    this.#unknown = new Counter({
      name: 'proxy_unknown_authority_total',
      help: 'Requests for an authority that is not in the routing table',
      registers,
    })
    this.#reloads = new Counter({
      name: 'proxy_config_reload_total',
      help: 'Routing table reloads from files, by result',
      labelNames: ['result'],
      registers,
    })
    this.#tableVersion = new Gauge({
      name: 'proxy_route_table_version',
      help: 'Version of the routing table in force',
      registers,
    })
  }

  #childrenFor(t: Target): Children {
    const key = `${t.authority}\u0000${t.backend}`
    let c = this.#children.get(key)
    if (c !== undefined) return c
    const outbound: HttpLabels = {
      direction: 'outbound',
      authority: t.authority,
      dst_service: t.backend,
      dst_deployment: t.backend === '' ? '' : t.deployment,
      dst_namespace: t.backend === '' ? '' : t.namespace,
      namespace: this.#proxyNamespace,
      tls: 'no_identity',
    }
    const inbound: HttpLabels | undefined =
      t.backend === ''
        ? undefined
        : {
            direction: 'inbound',
            namespace: t.namespace,
            deployment: t.deployment,
            tls: 'no_identity',
          }
    c = {
      outbound,
      inbound,
      request: this.#request.labels(outbound),
      inboundRequest: inbound === undefined ? undefined : this.#request.labels(inbound),
      responses: new Map(),
      latency: new Map(),
    }
    this.#children.set(key, c)
    return c
  }

  /** An attempt started (outbound side; the inbound side counts once the backend was reached). */
  request(t: Target): void {
    this.#childrenFor(t).request.inc()
  }

  /** Time to first byte of a response. */
  latency(t: Target, status: number, ms: number): void {
    const c = this.#childrenFor(t)
    let hs = c.latency.get(status)
    if (hs === undefined) {
      const code = String(status)
      hs = [c.outbound, c.inbound]
        .filter((l): l is HttpLabels => l !== undefined)
        .map((l) => this.#latency.labels({ ...l, status_code: code }))
      c.latency.set(status, hs)
    }
    for (const h of hs) h.observe(ms)
  }

  /** A response ended, or will never come (`error`). */
  response(
    t: Target,
    status: number | undefined,
    failure: boolean,
    grpcStatus: number | undefined,
    error: ErrorKind | undefined,
  ): void {
    const c = this.#childrenFor(t)
    const key = `${status ?? ''}|${failure ? 'f' : 's'}|${grpcStatus ?? ''}|${error ?? ''}`
    let rs = c.responses.get(key)
    if (rs === undefined) {
      const extra = {
        status_code: status === undefined ? '' : String(status),
        classification: failure ? 'failure' : 'success',
        grpc_status: grpcStatus === undefined ? '' : String(grpcStatus),
        error: error ?? '',
      }
      rs = [c.outbound, c.inbound]
        .filter((l): l is HttpLabels => l !== undefined)
        .map((l) => this.#response.labels({ ...l, ...extra }))
      c.responses.set(key, rs)
    }
    // A refused connection or a fail-fast never reached the backend: nothing to count inbound.
    const reached = error !== 'connect' && error !== 'unavailable'
    const first = rs[0]
    first?.inc()
    if (reached && rs.length > 1) {
      rs[1]?.inc()
      c.inboundRequest?.inc()
    }
  }

  tcpOpen(peer: 'src' | 'dst'): void {
    const labels = { direction: 'outbound', peer }
    this.#tcpOpen.inc(labels)
    this.#tcpOpenConns.inc(labels)
  }

  tcpClose(peer: 'src' | 'dst', failure: boolean): void {
    const labels = { direction: 'outbound', peer }
    this.#tcpClose.inc({ ...labels, classification: failure ? 'failure' : 'success' })
    this.#tcpOpenConns.dec(labels)
  }

  retry(authority: string, outcome: 'retried' | 'no_budget'): void {
    this.#retries.inc({ authority, outcome })
  }

  unknownAuthority(): void {
    this.#unknown.inc()
  }

  reload(result: 'applied' | 'rejected', version: number): void {
    this.#reloads.inc({ result })
    this.#tableVersion.set(version)
  }
}

/** Classification as Linkerd's default: 5xx, a gRPC failure code, or no response at all. */
export function isFailure(status: number | undefined, grpcStatus: number | undefined): boolean {
  if (status === undefined) return true
  if (status >= 500 && status <= 599) return true
  return grpcStatus !== undefined && GRPC_FAILURES.has(grpcStatus)
}

/** Unknown, DeadlineExceeded, PermissionDenied, Internal, Unavailable, DataLoss. */
const GRPC_FAILURES = new Set([2, 4, 7, 13, 14, 15])
