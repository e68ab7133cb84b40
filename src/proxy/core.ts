/**
 * The protocol-independent heart of the proxy: holds the routing table in force, the per-endpoint
 * state (load, breaker) that outlives tables, the retry budgets, and records metrics and tap events.
 * Listeners (node:http, the raw HTTP/1.1 codec, HTTP/2) resolve a route and ask for attempts here;
 * nothing in this file knows about sockets or node:http types.
 */
import { performance } from 'node:perf_hooks'
import type { ProxySettings, RetryOn } from './config-schema.js'
import { EndpointState, anyAvailable, endpointKey, pickEndpoint } from './balancer.js'
import { RetryBudget } from './retry-budget.js'
import {
  EMPTY_TABLE,
  backendsOf,
  pickBackend,
  resolveService,
  type RouteTable,
  type SplitBackend,
} from './route-table.js'
import { isFailure, type ErrorKind, type ProxyMetrics, type Target } from './metrics.js'
import type { TapBus } from './tap.js'

export interface CoreDeps {
  readonly settings: ProxySettings
  readonly metrics: ProxyMetrics
  readonly tap: TapBus
  /** Monotonic milliseconds; injected in tests. */
  readonly now?: () => number
  readonly rand?: () => number
}

/** A request's route: the service it named, in the table it started with. */
export interface Route {
  readonly table: RouteTable
  readonly service: string
  readonly backends: readonly SplitBackend[]
  readonly timeoutMs: number
  readonly retryOn: readonly RetryOn[]
  /** @internal endpoint state for this table */
  readonly compiled: Compiled
}

interface Compiled {
  readonly table: RouteTable
  readonly endpoints: ReadonlyMap<string, readonly EndpointState[]>
  readonly targets: Map<string, Target>
  readonly routes: Map<string, Route>
}

/** What an attempt's response turned out to be. */
export interface Outcome {
  readonly status?: number | undefined
  readonly grpcStatus?: number | undefined
  readonly error?: ErrorKind | undefined
}

export class ProxyCore {
  readonly settings: ProxySettings
  readonly metrics: ProxyMetrics
  readonly tap: TapBus
  readonly now: () => number
  readonly rand: () => number
  #compiled: Compiled
  readonly #states = new Map<string, EndpointState>()
  readonly #budgets = new Map<string, RetryBudget>()
  /** Attempts in flight, for draining on shutdown. */
  inFlight = 0

  constructor(deps: CoreDeps) {
    this.settings = deps.settings
    this.metrics = deps.metrics
    this.tap = deps.tap
    this.now = deps.now ?? (() => performance.now())
    this.rand = deps.rand ?? Math.random
    this.#compiled = this.#compile(EMPTY_TABLE)
  }

  get table(): RouteTable {
    return this.#compiled.table
  }

  /** Puts a new table in force. Requests already routed keep theirs. */
  swap(table: RouteTable): void {
    this.#compiled = this.#compile(table)
  }

  #compile(table: RouteTable): Compiled {
    const now = this.now()
    const endpoints = new Map<string, EndpointState[]>()
    const live = new Set<string>()
    const s = this.settings
    for (const svc of table.services.values()) {
      const list: EndpointState[] = []
      for (const ep of svc.endpoints) {
        const key = endpointKey(ep)
        let st = this.#states.get(key)
        if (st === undefined) {
          st = new EndpointState(
            ep,
            { defaultRttMs: s.defaultRttMs, decayMs: s.decayMs },
            {
              failures: s.breakerEnabled ? s.breakerFailures : Number.POSITIVE_INFINITY,
              minPenaltyMs: s.breakerMinPenaltyMs,
              maxPenaltyMs: s.breakerMaxPenaltyMs,
              jitter: s.breakerJitter,
            },
            now,
          )
          this.#states.set(key, st)
        }
        st.weight = ep.weight
        live.add(key)
        list.push(st)
      }
      endpoints.set(svc.name, list)
    }
    // Requests in flight hold their EndpointState objects; dropping the map entry is enough.
    for (const key of this.#states.keys()) if (!live.has(key)) this.#states.delete(key)
    return { table, endpoints, targets: new Map(), routes: new Map() }
  }

  /** Finds the route for an authority, or undefined when no service has that name. */
  resolve(authority: string): Route | undefined {
    const compiled = this.#compiled
    const cached = compiled.routes.get(authority)
    if (cached !== undefined) return cached
    const service = resolveService(compiled.table, authority)
    if (service === undefined) return undefined
    const entry = compiled.table.services.get(service)
    const route: Route = {
      table: compiled.table,
      service,
      backends: backendsOf(compiled.table, service),
      timeoutMs: entry?.timeoutMs ?? this.settings.requestTimeoutMs,
      retryOn: entry?.retryOn ?? this.settings.retryOn,
      compiled,
    }
    // Routes are immutable per table; authorities that resolve are bounded by what clients send
    // for known services, and capped anyway.
    if (compiled.routes.size < 1024) compiled.routes.set(authority, route)
    return route
  }

  /** Every original request deposits in its service's retry budget. */
  deposit(route: Route, now = this.now()): void {
    this.#budget(route.service).deposit(now)
  }

  /** Spends one retry from the service's budget, if it has one. */
  withdraw(route: Route): boolean {
    const ok = this.#budget(route.service).withdraw(this.now())
    this.metrics.retry(route.service, ok ? 'retried' : 'no_budget')
    return ok
  }

  #budget(service: string): RetryBudget {
    let b = this.#budgets.get(service)
    if (b === undefined) {
      const s = this.settings
      b = new RetryBudget(
        { ratio: s.budgetRatio, minPerSecond: s.budgetMinPerSecond, ttlMs: s.budgetTtlMs },
        this.now(),
      )
      this.#budgets.set(service, b)
    }
    return b
  }

  /**
   * Chooses a backend by weight and an endpoint by P2C, and starts an attempt. When the chosen
   * backend has no endpoint that can take the request, returns it as `unavailable` (fail fast, 503).
   * With `skipUnavailableBackends` (Linkerd ≥ 2.13's failover) such backends are not chosen while
   * another can serve; by default weights hold exactly, so a broken canary's share fails visibly.
   */
  attempt(
    route: Route,
    exclude?: EndpointState,
    now = this.now(),
  ): Attempt | { readonly unavailable: string } {
    const eps = route.compiled.endpoints
    const available = this.settings.skipUnavailableBackends
      ? (svc: string): boolean => {
          const list = eps.get(svc)
          return list !== undefined && anyAvailable(list, now)
        }
      : undefined
    const backend = pickBackend(route.backends, this.rand(), available)
    if (backend === undefined) return { unavailable: '' }
    const pick = pickEndpoint(eps.get(backend) ?? [], now, this.rand, exclude)
    if (pick === undefined) return { unavailable: backend }
    return new Attempt(
      this,
      this.target(route, backend),
      pick.endpoint,
      pick.admission === 'probe',
      now,
    )
  }

  /** Metric labels for (service, backend), cached per table. */
  target(route: Route, backend: string): Target {
    const key = `${route.service}\u0000${backend}`
    let t = route.compiled.targets.get(key)
    if (t === undefined) {
      const entry = route.table.services.get(backend)
      t = {
        authority: route.service,
        backend,
        deployment: entry?.deployment ?? backend,
        namespace: entry?.namespace ?? this.settings.namespace,
      }
      route.compiled.targets.set(key, t)
    }
    return t
  }
}

/** One try of a request against one endpoint. */
export class Attempt {
  readonly target: Target
  readonly endpoint: EndpointState
  readonly probe: boolean
  readonly startedAt: number
  latencyMs: number | undefined
  readonly #core: ProxyCore
  #done = false

  constructor(
    core: ProxyCore,
    target: Target,
    endpoint: EndpointState,
    probe: boolean,
    now = core.now(),
  ) {
    this.#core = core
    this.target = target
    this.endpoint = endpoint
    this.probe = probe
    this.startedAt = now
    endpoint.pending++
    core.inFlight++
    core.metrics.request(target)
  }

  /**
   * Response headers arrived: time to first byte for the histogram and the balancer. A layer that
   * measured it already passes `latencyMs` (saves reading the clock on the hot path).
   */
  headers(status: number, latencyMs?: number): void {
    const ms = latencyMs ?? this.#core.now() - this.startedAt
    this.latencyMs = ms
    this.endpoint.observe(ms, this.startedAt + ms)
    this.#core.metrics.latency(this.target, status, ms)
  }

  /** The response ended (or never came): response_total and the breaker. Idempotent. */
  end(o: Outcome): void {
    if (this.#done) return
    this.#done = true
    this.endpoint.pending--
    this.#core.inFlight--
    const failure = o.error !== undefined || isFailure(o.status, o.grpcStatus)
    if (failure) {
      const now = this.#core.now()
      if (o.error !== undefined && this.latencyMs === undefined) {
        // A failure without response still tells the balancer the endpoint is slow to answer.
        this.endpoint.observe(now - this.startedAt, now)
      }
      this.endpoint.breaker.failure(now, this.#core.rand())
    } else this.endpoint.breaker.success()
    this.#core.metrics.response(this.target, o.status, failure, o.grpcStatus, o.error)
  }

  /** The client went away before an outcome: no verdict on the endpoint. */
  abandon(): void {
    if (this.#done) return
    this.#done = true
    this.endpoint.pending--
    this.#core.inFlight--
    if (this.probe) this.endpoint.breaker.cancelProbe(this.#core.now())
  }

  get done(): boolean {
    return this.#done
  }
}
