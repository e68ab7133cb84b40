/**
 * The proxy's metrics, with Linkerd's names and labels so Linkerd's (and Flagger's) PromQL works on
 * them unchanged. Every attempt sent to a backend is recorded twice: as the client side sees it
 * (`direction="outbound"`, `authority` = the service asked for, `dst_service` = the backend chosen)
 * and as the backend's own proxy would (`direction="inbound"`, `deployment`, `namespace` of the
 * backend). Label values only come from the routing table, never from raw request data, so the
 * number of series stays bounded.
 */
import { Counter, Gauge, type Registry } from 'prom-client'
import { FastCounter, FastHistogram, type HistogramSeries, type Series } from './fast-metrics.js'

/** `response_latency_ms` buckets, Linkerd's (linkerd/metrics/src/latency.rs). */
export const LATENCY_BUCKETS_MS = [
  1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100, 200, 300, 400, 500, 1000, 2000, 3000, 4000, 5000, 10000,
  20000, 30000, 40000, 50000,
]

/** Why a response never came; the `error` label's values. */
export type ErrorKind = 'timeout' | 'connect' | 'reset' | 'unavailable' | 'internal'

/** Labels of the HTTP metrics (Linkerd's names). */
type HttpLabels = Partial<
  Record<
    | 'direction'
    | 'authority'
    | 'dst_service'
    | 'dst_deployment'
    | 'dst_namespace'
    | 'namespace'
    | 'deployment'
    | 'tls',
    string
  >
>

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
  readonly request: Series
  readonly inboundRequest: Series | undefined
  /** Responses by status when there is no gRPC status or error: the common case, a number key. */
  readonly byStatus: Map<number, Series[]>
  readonly responses: Map<string, Series[]>
  readonly latency: Map<number, HistogramSeries[]>
}

export class ProxyMetrics {
  readonly registry: Registry
  readonly #request: FastCounter
  readonly #response: FastCounter
  readonly #latency: FastHistogram
  readonly #tcpOpen: FastCounter
  readonly #tcpClose: FastCounter
  readonly #tcpOpenConns: FastCounter
  readonly #tcp: Record<'src' | 'dst', { open: Series; conns: Series; ok: Series; failed: Series }>
  readonly #retries: Counter
  readonly #unknown: Counter
  readonly #reloads: Counter
  readonly #tableVersion: Gauge
  readonly #proxyNamespace: string
  // One entry per (service, backend): the label sets and series are built once.
  readonly #children = new Map<string, Children>()
  // Targets are cached per routing table, so this skips building the key on the hot path.
  readonly #byTarget = new WeakMap<Target, Children>()

  constructor(registry: Registry, proxyNamespace: string) {
    this.registry = registry
    this.#proxyNamespace = proxyNamespace
    const registers = [registry]
    this.#request = new FastCounter(
      registry,
      'request_total',
      'Requests sent to a backend (one per attempt)',
    )
    this.#response = new FastCounter(
      registry,
      'response_total',
      'Responses (or failures to get one), counted when the response ends',
    )
    this.#latency = new FastHistogram(
      registry,
      'response_latency_ms',
      'Time to the first byte of the response, in milliseconds',
      LATENCY_BUCKETS_MS,
    )
    this.#tcpOpen = new FastCounter(registry, 'tcp_open_total', 'TCP connections opened')
    this.#tcpClose = new FastCounter(registry, 'tcp_close_total', 'TCP connections closed')
    this.#tcpOpenConns = new FastCounter(
      registry,
      'tcp_open_connections',
      'TCP connections open now',
      'gauge',
    )
    const tcp = (peer: 'src' | 'dst') => {
      const labels = { direction: 'outbound', peer }
      return {
        open: this.#tcpOpen.series(labels),
        conns: this.#tcpOpenConns.series(labels),
        ok: this.#tcpClose.series({ ...labels, classification: 'success' }),
        failed: this.#tcpClose.series({ ...labels, classification: 'failure' }),
      }
    }
    this.#tcp = { src: tcp('src'), dst: tcp('dst') }
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
    const byTarget = this.#byTarget.get(t)
    if (byTarget !== undefined) return byTarget
    const key = `${t.authority}\u0000${t.backend}`
    let c = this.#children.get(key)
    if (c !== undefined) {
      this.#byTarget.set(t, c)
      return c
    }
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
      request: this.#request.series(outbound),
      inboundRequest: inbound === undefined ? undefined : this.#request.series(inbound),
      byStatus: new Map(),
      responses: new Map(),
      latency: new Map(),
    }
    this.#children.set(key, c)
    this.#byTarget.set(t, c)
    return c
  }

  /** An attempt started (outbound side; the inbound side counts once the backend was reached). */
  request(t: Target): void {
    this.#childrenFor(t).request.value++
  }

  /** Time to first byte of a response. */
  latency(t: Target, status: number, ms: number): void {
    const c = this.#childrenFor(t)
    let hs = c.latency.get(status)
    if (hs === undefined) {
      const code = String(status)
      hs = sides(c).map((l) => this.#latency.series({ ...l, status_code: code }))
      c.latency.set(status, hs)
    }
    for (const h of hs) this.#latency.observe(h, ms)
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
    const rs = this.#responseSeries(c, status, failure, grpcStatus, error)
    const [out, inb] = rs
    if (out !== undefined) out.value++
    // A refused connection or a fail-fast never reached the backend: nothing to count inbound.
    if (inb !== undefined && error !== 'connect' && error !== 'unavailable') {
      inb.value++
      if (c.inboundRequest !== undefined) c.inboundRequest.value++
    }
  }

  #responseSeries(
    c: Children,
    status: number | undefined,
    failure: boolean,
    grpcStatus: number | undefined,
    error: ErrorKind | undefined,
  ): Series[] {
    const simple = status !== undefined && grpcStatus === undefined && error === undefined
    const key = simple
      ? ''
      : `${status ?? ''}|${failure ? 'f' : 's'}|${grpcStatus ?? ''}|${error ?? ''}`
    const found = simple ? c.byStatus.get(status) : c.responses.get(key)
    if (found !== undefined) return found
    const extra = {
      status_code: status === undefined ? '' : String(status),
      classification: failure ? 'failure' : 'success',
      grpc_status: grpcStatus === undefined ? '' : String(grpcStatus),
      error: error ?? '',
    }
    const rs = sides(c).map((l) => this.#response.series({ ...l, ...extra }))
    if (simple) c.byStatus.set(status, rs)
    else c.responses.set(key, rs)
    return rs
  }

  tcpOpen(peer: 'src' | 'dst'): void {
    const s = this.#tcp[peer]
    s.open.value++
    s.conns.value++
  }

  tcpClose(peer: 'src' | 'dst', failure: boolean): void {
    const s = this.#tcp[peer]
    if (failure) s.failed.value++
    else s.ok.value++
    s.conns.value--
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

function sides(c: Children): HttpLabels[] {
  return c.inbound === undefined ? [c.outbound] : [c.outbound, c.inbound]
}
