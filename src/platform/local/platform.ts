import { watch, type FSWatcher } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { RouteWeights, Workloads } from '../../controller/ports.js'
import type { EmbeddedRouting } from '../../router/embedded.js'
import type { Logger } from '../../observability/logger.js'
import { errorMessage } from '../../util/errors.js'
import { LocalCluster } from './cluster.js'
import { LocalEvents } from './events.js'
import { ManifestLoader, type ManifestProblem } from './manifests.js'
import { weightsIn, type DesiredRoutes } from './routing.js'
import { ProcessRunner } from './runner.js'
import { keyFile, StateDir } from './state-dir.js'
import { LocalCanaryStore } from './store.js'
import { ReplicaRecords } from './orphans.js'
import { createLocalWorkloads } from './workloads.js'

/** The part of the embedded proxy's in-process API local mode drives. */
export interface ProxyRoutes {
  setEndpoints(
    service: string,
    update: {
      endpoints: readonly { ip: string; port: number }[]
      deployment?: string
      namespace?: string
    },
  ): void
  removeService(service: string): void
  setSplit(split: {
    name: string
    namespace?: string
    service: string
    backends: readonly { service: string; weight: number }[]
  }): number
  removeSplit(service: string): void
  getSplit(
    service: string,
  ):
    | { readonly backends: readonly { readonly service: string; readonly weight: number }[] }
    | undefined
}

export interface LocalPlatformOptions {
  readonly dir: string
  readonly stateDir: string
  readonly proxy: ProxyRoutes
  /** The proxy's URL, given to every process as HTTP_PROXY. */
  readonly proxyUrl: string
  readonly fledgeBin: string
  readonly tsLoader: string
  readonly log: Logger
  readonly now: () => number
  /** How often the manifests directory is checked besides fs.watch. */
  readonly pollMs?: number
  readonly drainMs?: number
}

/**
 * Local mode: a directory of manifests is the desired state; Deployments run as local processes;
 * Services and splits feed the embedded proxy; everything fledge decides is kept in the state
 * directory, so a restart (even after kill -9) resumes where it was.
 */
export class LocalPlatform implements EmbeddedRouting {
  readonly state: StateDir
  readonly cluster: LocalCluster
  readonly runner: ProcessRunner
  readonly store: LocalCanaryStore
  readonly events: LocalEvents
  readonly workloads: Workloads
  readonly loader: ManifestLoader
  readonly records: ReplicaRecords
  problems: readonly ManifestProblem[] = []
  readonly #opts: LocalPlatformOptions
  readonly #listeners = new Set<() => void>()
  #pushed = { services: new Map<string, string>(), splits: new Map<string, string>() }
  #watcher: FSWatcher | undefined
  #poll: NodeJS.Timeout | undefined
  #debounce: NodeJS.Timeout | undefined
  #signature = ''
  #reloading: Promise<void> = Promise.resolve()

  constructor(opts: LocalPlatformOptions) {
    this.#opts = opts
    this.state = new StateDir(opts.stateDir)
    this.cluster = new LocalCluster(this.state)
    this.loader = new ManifestLoader(opts.dir)
    this.events = new LocalEvents(this.state, opts.log, opts.now)
    this.records = new ReplicaRecords(this.state)
    this.runner = new ProcessRunner({
      logDir: this.state.path('logs'),
      images: () => this.cluster.manifests?.images ?? new Map(),
      env: {
        HTTP_PROXY: opts.proxyUrl,
        http_proxy: opts.proxyUrl,
        NO_PROXY: '127.0.0.1,localhost',
        no_proxy: '127.0.0.1,localhost',
      },
      fledgeBin: opts.fledgeBin,
      tsLoader: opts.tsLoader,
      log: opts.log,
      onChange: () => {
        this.refreshRoutes()
      },
      records: this.records,
      ...(opts.drainMs === undefined ? {} : { drainMs: opts.drainMs }),
    })
    this.store = new LocalCanaryStore(
      this.state,
      () => this.cluster.canaryObjects(),
      (key) => this.#release(key),
    )
    this.workloads = createLocalWorkloads(this.cluster, this.runner, () => {
      this.reconcile()
    })
  }

  /** Loads the state directory and the manifests, starts every process, and watches for changes. */
  async start(): Promise<void> {
    await this.state.init()
    const orphans = await this.records.reap()
    if (orphans > 0)
      this.#opts.log.warn('stopped replicas left running by a previous controller', {
        count: orphans,
      })
    await this.cluster.load()
    await this.store.load()
    await this.reload()
    this.#watcher = watch(this.#opts.dir, () => {
      this.#scheduleReload()
    })
    this.#watcher.on('error', (err) => {
      this.#opts.log.warn('watching the manifests directory failed; polling only', {
        error: err.message,
      })
    })
    this.#poll = setInterval(() => {
      void this.#checkSignature()
    }, this.#opts.pollMs ?? 1_000)
  }

  /** Called after every change of the manifests (new Canaries to track, targets to look at). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  canaryKeys(): string[] {
    return [...this.cluster.canaryObjects().keys()]
  }

  /** Re-reads the manifests and converges processes and routes to them. */
  reload(): Promise<void> {
    this.#reloading = this.#reloading.then(async () => {
      try {
        const set = await this.loader.load()
        this.#signature = await this.#dirSignature()
        const fresh = set.problems.filter(
          (p) => !this.problems.some((q) => JSON.stringify(q) === JSON.stringify(p)),
        )
        for (const p of fresh) this.#opts.log.warn('manifest problem', { ...p })
        this.problems = set.problems
        await this.cluster.update(set, this.#opts.now())
        this.reconcile()
        for (const l of this.#listeners) l()
      } catch (err) {
        this.#opts.log.error('reading the manifests failed', {
          dir: this.#opts.dir,
          error: errorMessage(err),
        })
      }
    })
    return this.#reloading
  }

  /** Starts, rolls and stops processes to match the desired workloads. */
  reconcile(): void {
    const desired = this.cluster.workloads()
    for (const [key, w] of desired)
      this.runner.apply({ key, template: w.template, replicas: w.replicas })
    for (const key of this.runner.keys()) if (!desired.has(key)) void this.runner.remove(key)
    this.refreshRoutes()
  }

  /** Pushes the routing table to the proxy, touching only what changed. */
  refreshRoutes(): void {
    this.#push(this.cluster.desiredRoutes((k) => this.runner.endpoints(k)))
  }

  async setCanaryRoutes(canaryKey: string, apex: string, weights: RouteWeights): Promise<void> {
    await this.cluster.setRoutes(canaryKey, apex, weights)
    this.refreshRoutes()
  }

  getCanaryRoutes(canaryKey: string): RouteWeights | undefined {
    return this.cluster.routes.get(canaryKey)?.weights
  }

  applied(canaryKey: string, weights: RouteWeights): boolean {
    const route = this.cluster.routes.get(canaryKey)
    if (route === undefined) return false
    const w = weightsIn(this.#opts.proxy.getSplit(route.apex), {
      primary: { service: `${route.apex}-primary`, deployment: '', endpoints: [] },
      canary: { service: `${route.apex}-canary`, deployment: '', endpoints: [] },
    })
    return w?.primary === weights.primary && w.canary === weights.canary
  }

  async clearCanaryRoutes(canaryKey: string): Promise<void> {
    this.cluster.routes.delete(canaryKey)
    await this.state.remove('routes', keyFile(canaryKey))
    this.refreshRoutes()
  }

  async close(): Promise<void> {
    this.#watcher?.close()
    clearInterval(this.#poll)
    clearTimeout(this.#debounce)
    await this.#reloading
    await this.runner.close()
  }

  async #release(key: string): Promise<void> {
    await this.cluster.release(key)
    this.reconcile()
  }

  #push(desired: DesiredRoutes): void {
    const proxy = this.#opts.proxy
    const services = new Map(desired.services.map((s) => [s.name, s]))
    const splits = new Map(desired.splits.map((s) => [s.service, s]))
    for (const [name, s] of services) {
      const text = JSON.stringify(s)
      if (this.#pushed.services.get(name) === text) continue
      proxy.setEndpoints(name, {
        endpoints: s.endpoints,
        deployment: s.deployment,
        namespace: s.namespace,
      })
      this.#pushed.services.set(name, text)
    }
    for (const [name, s] of splits) {
      const text = JSON.stringify(s)
      if (this.#pushed.splits.get(name) === text) continue
      proxy.setSplit(s)
      this.#pushed.splits.set(name, text)
    }
    for (const name of [...this.#pushed.splits.keys()]) {
      if (splits.has(name)) continue
      proxy.removeSplit(name)
      this.#pushed.splits.delete(name)
    }
    for (const name of [...this.#pushed.services.keys()]) {
      if (services.has(name)) continue
      proxy.removeService(name)
      this.#pushed.services.delete(name)
    }
  }

  #scheduleReload(): void {
    clearTimeout(this.#debounce)
    this.#debounce = setTimeout(() => {
      void this.reload()
    }, 100)
  }

  async #checkSignature(): Promise<void> {
    try {
      if ((await this.#dirSignature()) !== this.#signature) this.#scheduleReload()
    } catch (err) {
      this.#opts.log.warn('checking the manifests directory failed', { error: errorMessage(err) })
    }
  }

  /** Names, sizes and modification times of the manifest files: cheap change detection. */
  async #dirSignature(): Promise<string> {
    const names = (await readdir(this.#opts.dir)).filter((n) => /\.ya?ml$/.test(n)).sort()
    const parts = await Promise.all(
      names.map(async (n) => {
        const s = await stat(join(this.#opts.dir, n)).catch(() => undefined)
        return `${n}:${s?.size ?? -1}:${s?.mtimeMs ?? -1}`
      }),
    )
    return parts.join('|')
  }
}
