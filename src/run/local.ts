import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { mkdir, readFile, rm, writeFile, chmod } from 'node:fs/promises'
import { homedir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Agent, type Dispatcher } from 'undici'
import { Registry } from 'prom-client'
import { objectKey } from '../api/canary.js'
import { CheckRunner } from '../analysis/run-checks.js'
import { createAnalysisMetrics } from '../analysis/analysis-metrics.js'
import { InProcessMetricsProvider } from '../analysis/providers/in-process.js'
import { createFileSecretReader } from '../analysis/providers/secrets.js'
import { staticTemplateSource } from '../analysis/template-source.js'
import { Controller } from '../controller/controller.js'
import type { TickResult } from '../controller/advance.js'
import { createAlertSink } from '../notify/alert-sink.js'
import { createWebhookCaller } from '../notify/webhook-caller.js'
import { createRecorder } from '../observability/recorder.js'
import type { Logger } from '../observability/logger.js'
import { applyManifest, setImage } from '../platform/local/edit.js'
import { LocalPlatform } from '../platform/local/platform.js'
import { templateHash } from '../platform/local/runner.js'
import { createProxy, type Proxy } from '../proxy/proxy.js'
import { createEmbeddedTrafficProvider } from '../router/embedded.js'
import { createApiApp, type ApiBackend } from '../server/app.js'
import { canaryView } from '../server/views.js'
import { ErrorCodes, FledgeError } from '../util/errors.js'
import { systemClock } from '../util/system-clock.js'
import { listen, parseAddress } from '../proxy/address.js'

export interface LocalOptions {
  /** The manifests directory. */
  readonly dir: string
  /** Default `<dir>/.fledge`. */
  readonly stateDir?: string
  /** API and dashboard, default 127.0.0.1:8880. */
  readonly listen?: string
  /** The proxy, default 127.0.0.1:4140. */
  readonly proxy?: string
  /** The proxy's admin server, default 127.0.0.1:4191. */
  readonly admin?: string
  readonly log: Logger
  /** How often a waiting Canary is looked at; default 500 ms. */
  readonly pollMs?: number
  /** Write `~/.fledge/controller.json` so the CLI finds this controller; default true. */
  readonly pointer?: boolean
}

export interface LocalHandle {
  readonly api: string
  readonly proxy: string
  readonly admin: string
  readonly stateDir: string
  readonly token: string
  readonly platform: LocalPlatform
  readonly controller: Controller
  close(): Promise<void>
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** Starts everything local mode runs: proxy, processes, controller and API. */
export async function startLocal(opts: LocalOptions): Promise<LocalHandle> {
  const dir = resolve(opts.dir)
  const stateDir = resolve(opts.stateDir ?? join(dir, '.fledge'))
  const log = opts.log
  const proxyRegistry = new Registry()
  const controllerRegistry = new Registry()
  const proxy: Proxy = createProxy({
    listen: opts.proxy ?? '127.0.0.1:4140',
    admin: opts.admin ?? '127.0.0.1:4191',
    registry: proxyRegistry,
    watch: false,
    logger: log.child({ component: 'proxy' }),
  })
  const bound = await proxy.listen()
  const proxyAddr = `127.0.0.1:${bound.proxy.port}`
  const adminAddr = bound.admin === undefined ? '' : `127.0.0.1:${bound.admin.port}`
  const cleanups: (() => Promise<void> | void)[] = [() => proxy.close()]
  const close = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c()
  }
  try {
    const platform = new LocalPlatform({
      dir,
      stateDir,
      proxy,
      proxyUrl: `http://${proxyAddr}`,
      fledgeBin: join(ROOT, 'bin/fledge.js'),
      tsLoader: import.meta.resolve('tsx'),
      log: log.child({ component: 'local' }),
      now: () => Date.now(),
    })
    await platform.start()
    cleanups.push(() => platform.close())
    const token = await ensureToken(platform.state.path('token'))

    const inProcess = new InProcessMetricsProvider({ registry: proxyRegistry })
    await inProcess.start()
    cleanups.push(() => {
      inProcess.close()
    })
    const agents = new Map<boolean, Dispatcher>()
    const analysis = new CheckRunner({
      defaultProvider: inProcess,
      providers: {
        dispatcher: (insecure) => {
          const agent =
            agents.get(insecure) ?? new Agent({ connect: { rejectUnauthorized: !insecure } })
          agents.set(insecure, agent)
          return agent
        },
        secrets: createFileSecretReader(join(dir, 'secrets')),
        inProcess,
      },
      metrics: createAnalysisMetrics(controllerRegistry),
      templates: {
        get: (ns, name, signal) =>
          staticTemplateSource(platform.cluster.manifests?.metricTemplates ?? new Map()).get(
            ns,
            name,
            signal,
          ),
      },
    })
    cleanups.push(async () => {
      for (const a of agents.values()) await a.close()
    })

    const traffic = createEmbeddedTrafficProvider(platform)
    const publisher = new Publisher()
    const controller = new Controller(
      {
        store: platform.store,
        workloads: platform.workloads,
        traffic: () => traffic,
        analysis,
        webhooks: createWebhookCaller(),
        events: platform.events,
        alerts: createAlertSink({
          providers: (ns, name) => platform.cluster.manifests?.alertProviders.get(`${ns}/${name}`),
          log: log.child({ component: 'alerts' }),
        }),
        clock: systemClock,
        log: log.child({ component: 'controller' }),
        recorder: createRecorder(controllerRegistry),
      },
      {
        pollMs: opts.pollMs ?? 500,
        onTick: (key, r) => {
          publisher.tick(key, r, targetRevision(platform, key))
        },
      },
    )
    cleanups.push(() => controller.close())
    const track = (): void => {
      for (const key of platform.canaryKeys()) controller.wake(key)
    }
    platform.onChange(track)
    track()
    platform.events.subscribe((e) => {
      publisher.publish('event', e)
    })

    const backend = localBackend(platform, controller, publisher)
    const app = createApiApp({
      backend,
      token,
      registry: controllerRegistry,
      dashboardDir: join(ROOT, 'src/server/dashboard'),
    })
    const server = createServer(app)
    const apiAddr = await listenOn(server, opts.listen ?? '127.0.0.1:8880')
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          server.closeAllConnections()
          server.close(() => {
            r()
          })
        }),
    )
    const api = `http://${apiAddr}`
    if (opts.pointer !== false) {
      const pointer = join(homedir(), '.fledge', 'controller.json')
      await mkdir(dirname(pointer), { recursive: true })
      await writeFile(pointer, `${JSON.stringify({ api, stateDir, pid: process.pid }, null, 2)}\n`)
      cleanups.push(async () => {
        const current = await readFile(pointer, 'utf8').catch(() => '')
        if (current.includes(`"pid": ${process.pid}`)) await rm(pointer, { force: true })
      })
    }
    return { api, proxy: proxyAddr, admin: adminAddr, stateDir, token, platform, controller, close }
  } catch (err) {
    await close()
    throw err
  }
}

/** Canary views and events to the API's watchers, each view only when it changed. */
class Publisher {
  readonly #listeners = new Set<(kind: 'canary' | 'event', data: unknown) => void>()
  readonly #last = new Map<string, string>()

  subscribe(l: (kind: 'canary' | 'event', data: unknown) => void): () => void {
    this.#listeners.add(l)
    return () => this.#listeners.delete(l)
  }

  publish(kind: 'canary' | 'event', data: unknown): void {
    for (const l of this.#listeners) l(kind, data)
  }

  tick(key: string, result: TickResult, revision: string | undefined): void {
    if (result.kind !== 'stepped') return
    const view = canaryView(key, result.canary, revision)
    const text = JSON.stringify(view)
    if (this.#last.get(key) === text) return
    this.#last.set(key, text)
    this.publish('canary', view)
  }
}

function targetRevision(platform: LocalPlatform, key: string): string | undefined {
  const canary = platform.cluster.validCanaries.get(key)
  const d = canary === undefined ? undefined : platform.cluster.deployment(canary)
  return d === undefined ? undefined : templateHash(d.spec.template)
}

function localBackend(
  platform: LocalPlatform,
  controller: Controller,
  publisher: Publisher,
): ApiBackend {
  return {
    async canaries() {
      const out = new Map<string, unknown>()
      for (const key of platform.canaryKeys()) out.set(key, await platform.store.get(key))
      return out
    },
    targetRevision: (key) => targetRevision(platform, key),
    async command(key, verb) {
      const value = await platform.store.command(key, verb, `${Date.now()}`)
      controller.wake(key)
      return value
    },
    events: (canary) => platform.events.recent(canary),
    subscribe: (l) => publisher.subscribe(l),
    problems: () => platform.problems,
    workloads: () =>
      platform.runner.keys().map((key) => ({
        key,
        status: platform.runner.status(key),
        replicas: platform.runner.replicas(key),
      })),
    async apply(name, text) {
      const file = await applyManifest(platform.loader.dir, name, text)
      await platform.reload()
      return file
    },
    async setImage(namespace, name, container, image) {
      const key = objectKey({ name, namespace })
      const file = platform.cluster.manifests?.sources.get(`Deployment/${key}`)
      if (file === undefined)
        throw new FledgeError(
          ErrorCodes.NOT_FOUND,
          `deployment/${name} is not declared in ${platform.loader.dir}`,
        )
      const changed = await setImage(file, { name, namespace }, container, image)
      await platform.reload()
      return changed
    },
  }
}

async function ensureToken(file: string): Promise<string> {
  const existing = (await readFile(file, 'utf8').catch(() => '')).trim()
  if (existing !== '') return existing
  const token = randomBytes(24).toString('hex')
  await writeFile(file, `${token}\n`, { mode: 0o600 })
  await chmod(file, 0o600)
  return token
}

async function listenOn(server: Server, address: string): Promise<string> {
  const bound = await listen(server, parseAddress(address))
  return `${bound.address}:${bound.port}`
}
