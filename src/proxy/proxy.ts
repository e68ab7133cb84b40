/**
 * Composition of the proxy: file sources and the in-process API feed one routing table; the
 * listener hands connections to the HTTP/1.1 and HTTP/2 layers; the admin server reports.
 * `createProxy` builds it without listening, `startProxy` also loads the files and listens.
 */
import type { AddressInfo } from 'node:net'
import type http from 'node:http'
import { Registry } from 'prom-client'
import { normalizeWeights, parseQuantityMilli } from '../api/weight.js'
import { ErrorCodes, FledgeError, ValidationError } from '../util/errors.js'
import { DEFAULT_SETTINGS, resolveSettings, type ProxySettings } from './config-schema.js'
import { ProxyCore } from './core.js'
import { createHttp1Server } from './http1-node.js'
import { createHttp2Server } from './http2.js'
import { createListener, serverHandler, type ConnectionHandler, type Listener } from './listener.js'
import { silentLogger, type Logger } from './logger.js'
import { ProxyMetrics } from './metrics.js'
import {
  buildRouteTable,
  type RouteTable,
  type ServiceEntry,
  type SplitInput,
} from './route-table.js'
import { loadSources, toSplitInput, type SourceIssue, type SourcePaths } from './sources.js'
import { TrafficSplitSchema } from '../api/traffic-split.js'
import { zodIssues } from '../api/documents.js'
import { TapBus } from './tap.js'
import { Upstreams } from './upstreams.js'
import { watchPaths, type Watch } from './watch.js'
import { createAdminServer } from './admin.js'
import { endpointKey } from './balancer.js'
import { listen, parseAddress } from './address.js'
import { fastHttp1Layer, loadFastEngine } from './http1-fast.js'
import { checkEndpoints, type ProxyApi } from './proxy-api.js'

export type { ProxyApi, ServiceUpdate, SplitUpdate } from './proxy-api.js'

/** Everything the HTTP/1.1 layer needs; a replacement codec receives the same. */
export interface Http1LayerDeps {
  readonly core: ProxyCore
  readonly upstreams: Upstreams
  readonly log: Logger
}

export interface ProxyOptions extends SourcePaths {
  /** `HOST:PORT` for the proxy; default 127.0.0.1:4140. Port 0 picks a free one. */
  readonly listen?: string
  /** `HOST:PORT` for the admin server, default 127.0.0.1:4191; false for none. */
  readonly admin?: string | false
  /** Overrides of the settings (after the config file's); mostly for tests and embedding. */
  readonly settings?: Partial<ProxySettings>
  readonly logger?: Logger
  readonly registry?: Registry
  /** File watching; false turns it off (reload() still works). */
  readonly watch?: { readonly debounceMs?: number; readonly pollMs?: number } | false
  /** Builds the HTTP/1.1 layer; default node:http + undici. The seam for a leaner codec. */
  readonly http1?: (deps: Http1LayerDeps) => ConnectionHandler & { close?(): Promise<void> }
  /**
   * Which HTTP/1.1 layer `startProxy` uses when `http1` is not given: `fast` (the raw-socket engine
   * in src/proxy/http1, when this build has it), `node` (node:http + undici), or `auto` (default:
   * fast when present).
   */
  readonly http1Engine?: 'auto' | 'fast' | 'node'
}

export interface Proxy extends ProxyApi {
  readonly core: ProxyCore
  readonly registry: Registry
  readonly settings: ProxySettings
  readonly http1Server: http.Server | undefined
  /** Listens on the proxy and admin addresses. */
  listen(): Promise<{ proxy: AddressInfo; admin: AddressInfo | undefined }>
  /**
   * Stops the proxy. With `drainMs`, it first stops accepting connections and lets requests in
   * flight finish (kept-alive connections are closed as they fall idle) for up to that long.
   */
  close(options?: { readonly drainMs?: number }): Promise<void>
}

export interface RunningProxy extends Proxy {
  readonly address: AddressInfo
  readonly adminAddress: AddressInfo | undefined
  /** The HTTP/1.1 layer in use. */
  readonly http1Engine: 'fast' | 'node' | 'custom'
}

/**
 * Builds a proxy: reads the config file's settings (sync callers pass settings instead), without
 * loading routes or listening. Call `reload()` then `listen()`, or use {@link startProxy}.
 */
export function createProxy(options: ProxyOptions = {}, fileSettings?: ProxySettings): Proxy {
  const settings: ProxySettings = { ...(fileSettings ?? DEFAULT_SETTINGS), ...options.settings }
  const log = options.logger ?? silentLogger
  const registry = options.registry ?? new Registry()
  const metrics = new ProxyMetrics(registry, settings.namespace)
  const tap = new TapBus()
  const core = new ProxyCore({ settings, metrics, tap })
  const upstreams = new Upstreams(settings, metrics)
  const layerDeps = { core, upstreams, log }
  let http1Server: http.Server | undefined
  let http1: ConnectionHandler & { close?(): Promise<void> }
  if (options.http1 === undefined) {
    http1Server = createHttp1Server(layerDeps)
    http1 = serverHandler(http1Server, true)
  } else http1 = options.http1(layerDeps)
  const h2 = createHttp2Server(layerDeps)
  const listener: Listener = createListener({
    http1,
    http2: serverHandler(h2, false),
    metrics,
    firstByteTimeoutMs: settings.headerTimeoutMs,
    maxConnections: settings.maxConnections,
  })
  let fileInput: { services: readonly ServiceEntry[]; splits: readonly SplitInput[] } = {
    services: [],
    splits: [],
  }
  const apiServices = new Map<string, ServiceEntry>()
  const apiSplits = new Map<string, SplitInput>()
  let loaded = !hasFiles(options)
  let adminServer: http.Server | undefined
  let watcher: Watch | undefined

  const rebuild = (): { table: RouteTable; issues: string[] } => {
    const services = new Map<string, ServiceEntry>()
    for (const s of fileInput.services) services.set(s.name, s)
    for (const s of apiServices.values()) services.set(s.name, s)
    const splits = fileInput.splits.filter((s) => !apiSplits.has(s.service))
    const { table, issues } = buildRouteTable(
      { services: [...services.values()], splits: [...splits, ...apiSplits.values()] },
      core.table,
    )
    return { table, issues: issues.map((i) => `${i.subject}: ${i.message}`) }
  }
  const apply = (table: RouteTable): void => {
    core.swap(table)
    const live = new Set<string>()
    for (const s of table.services.values()) for (const e of s.endpoints) live.add(endpointKey(e))
    upstreams.prune(live)
  }
  const applyOrThrow = (): void => {
    const { table, issues } = rebuild()
    if (issues.length > 0) throw new FledgeError(ErrorCodes.TRAFFIC, issues.join('; '))
    apply(table)
  }

  const reload = async (): Promise<boolean> => {
    const result = await loadSources(options)
    if (result.issues.length > 0) {
      reportIssues(log, result.issues)
      metrics.reload('rejected', core.table.version)
      return false
    }
    const previous = fileInput
    fileInput = result.input
    const { table, issues } = rebuild()
    if (issues.length > 0) {
      fileInput = previous
      for (const message of issues)
        log.warn('routing table rejected; the previous one stays', { message })
      metrics.reload('rejected', core.table.version)
      return false
    }
    apply(table)
    loaded = true
    metrics.reload('applied', table.version)
    log.info('routing table loaded', {
      version: table.version,
      services: table.services.size,
      splits: table.splits.size,
    })
    return true
  }

  const proxy: Proxy = {
    core,
    registry,
    settings,
    http1Server,
    table: () => core.table,
    setEndpoints(service, update) {
      apiServices.set(service, {
        name: service,
        endpoints: checkEndpoints(service, update.endpoints),
        deployment: update.deployment,
        namespace: update.namespace,
        timeoutMs: update.timeoutMs,
        retryOn: update.retryOn,
      })
      applyOrThrow()
    },
    removeService(service) {
      apiServices.delete(service)
      applyOrThrow()
    },
    setSplit(split) {
      const milli = normalizeWeights(split.backends.map((b) => parseQuantityMilli(b.weight)))
      apiSplits.set(split.service, {
        name: split.name,
        namespace: split.namespace,
        service: split.service,
        backends: split.backends.map((b, i) => ({ service: b.service, weight: milli[i] ?? 0 })),
      })
      applyOrThrow()
      return core.table.splits.get(split.service)?.generation ?? 0
    },
    setTrafficSplit(trafficSplit) {
      const parsed = TrafficSplitSchema.safeParse(trafficSplit)
      if (!parsed.success) {
        throw new ValidationError('invalid TrafficSplit', zodIssues(parsed.error, trafficSplit))
      }
      const split = toSplitInput(parsed.data)
      apiSplits.set(split.service, split)
      applyOrThrow()
      return core.table.splits.get(split.service)?.generation ?? 0
    },
    removeSplit(service) {
      apiSplits.delete(service)
      applyOrThrow()
    },
    getSplit: (service) => core.table.splits.get(service),
    reload,
    async listen() {
      const proxyAddr = await listen(
        listener.server,
        parseAddress(options.listen ?? '127.0.0.1:4140'),
      )
      let adminAddr: AddressInfo | undefined
      if (options.admin !== false) {
        adminServer = createAdminServer({
          registry,
          tap,
          table: () => core.table,
          ready: () => loaded,
          log,
        })
        adminAddr = await listen(adminServer, parseAddress(options.admin ?? '127.0.0.1:4191'))
      }
      const paths = [options.disco, options.splits, options.config].filter(
        (p): p is string => p !== undefined,
      )
      if (options.watch !== false && paths.length > 0) {
        watcher = watchPaths(
          paths,
          () => {
            reload().catch((err: unknown) => {
              log.error('reload failed', { error: String(err) })
            })
          },
          { debounceMs: options.watch?.debounceMs ?? 100, pollMs: options.watch?.pollMs ?? 2000 },
        )
      }
      return { proxy: proxyAddr, admin: adminAddr }
    },
    async close(closeOptions) {
      watcher?.close()
      const drainMs = closeOptions?.drainMs ?? 0
      if (drainMs > 0) {
        listener.stopAccepting()
        h2.close()
        const until = Date.now() + drainMs
        while (core.inFlight > 0 && Date.now() < until) {
          http1Server?.closeIdleConnections()
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
      }
      const closing: Promise<void>[] = [listener.close()]
      if (http1.close !== undefined) closing.push(http1.close())
      if (adminServer !== undefined) {
        const a = adminServer
        closing.push(
          new Promise((resolve) => {
            a.close(() => {
              resolve()
            })
            a.closeAllConnections()
          }),
        )
      }
      http1Server?.closeAllConnections()
      http1Server?.close()
      h2.close()
      await Promise.all(closing)
      await upstreams.close()
    },
  }
  return proxy
}

/**
 * Reads the config file, builds the proxy, loads the routing files and listens. Throws a
 * ValidationError naming every problem when the files are invalid at start.
 */
export async function startProxy(options: ProxyOptions = {}): Promise<RunningProxy> {
  let fileSettings: ProxySettings | undefined
  if (options.config !== undefined) {
    const { config, issues } = await loadSources({ config: options.config })
    if (issues.length > 0) throw sourceError(issues)
    fileSettings = resolveSettings(config)
  }
  let http1 = options.http1
  if (http1 === undefined && options.http1Engine !== 'node') {
    const engine = await loadFastEngine()
    if (engine !== undefined) http1 = fastHttp1Layer(engine)
    else if (options.http1Engine === 'fast') {
      throw new FledgeError(ErrorCodes.USAGE, 'the fast HTTP/1.1 engine is not part of this build')
    }
  }
  const proxy = createProxy({ ...options, http1 }, fileSettings)
  const http1Engine: RunningProxy['http1Engine'] =
    options.http1 !== undefined ? 'custom' : http1 === undefined ? 'node' : 'fast'
  if (hasFiles(options)) {
    const result = await loadSources(options)
    if (result.issues.length > 0) throw sourceError(result.issues)
    await proxy.reload()
  }
  const { proxy: address, admin } = await proxy.listen()
  options.logger?.info('proxy listening', {
    address: `${address.address}:${address.port}`,
    admin: admin === undefined ? undefined : `${admin.address}:${admin.port}`,
    http1Engine,
  })
  return Object.assign(proxy, { address, adminAddress: admin, http1Engine })
}

function hasFiles(o: SourcePaths): boolean {
  return o.disco !== undefined || o.splits !== undefined || o.config !== undefined
}

function reportIssues(log: Logger, issues: readonly SourceIssue[]): void {
  for (const i of issues) {
    log.warn('invalid routing file; the routing table in force stays', {
      file: i.file,
      field: i.field,
      message: i.message,
    })
  }
}

function sourceError(issues: readonly SourceIssue[]): ValidationError {
  return new ValidationError(
    'invalid proxy configuration',
    issues.map((i) => ({
      path: i.field === '' ? i.file : `${i.file}: ${i.field}`,
      message: i.message,
    })),
  )
}
