import { createHash } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import type { Logger } from '../../observability/logger.js'
import { errorMessage } from '../../util/errors.js'
import type { PodTemplate } from './manifest-schemas.js'
import type { ResolvedCatalogEntry } from './manifests.js'
import { Replica } from './replica.js'
import { freePort } from '../../util/free-port.js'

/** What should run for one workload (a Deployment, or its `-primary` copy). */
export interface WorkloadSpec {
  /** Unique name, `namespace/name`; replicas are named after it. */
  readonly key: string
  readonly template: PodTemplate
  readonly replicas: number
}

export interface WorkloadStatus {
  /** Hash of the template that should run. */
  readonly hash: string
  readonly desired: number
  /** Replicas running the desired template and ready. */
  readonly ready: number
  readonly message: string
  /** Set when the workload cannot run at all (its image is not in any catalog). */
  readonly failed?: string | undefined
}

export interface RunnerDeps {
  readonly logDir: string
  readonly images: () => ReadonlyMap<string, ResolvedCatalogEntry>
  /** Extra environment for every replica (HTTP_PROXY and friends). */
  readonly env: Readonly<Record<string, string>>
  /** The fledge CLI entry, for catalog entries that run `fledge ...`. */
  readonly fledgeBin: string
  /** The TypeScript loader to pass to `node --import` for `node:` entries. */
  readonly tsLoader: string
  readonly log: Logger
  /** Called when any replica's readiness changes (to refresh the proxy's endpoints). */
  readonly onChange: () => void
  /** Time between taking a replica out of the endpoints and stopping it. */
  readonly drainMs?: number
  /** Told of every replica started and stopped (pid records for orphan cleanup). */
  readonly records?: {
    record(name: string, pid: number): Promise<void>
    forget(name: string): Promise<void>
  }
}

interface Slot {
  current?: Replica | undefined
  next?: Replica | undefined
}

interface Workload {
  spec: WorkloadSpec
  hash: string
  slots: Slot[]
  failed?: string | undefined
  /** A reconcile is running; `dirty` asks it to run once more when done. */
  busy: boolean
  dirty: boolean
}

/** Stable hash of a pod template: the revision fledge compares. */
export function templateHash(template: PodTemplate): string {
  return createHash('sha256').update(canonicalJson(template)).digest('hex').slice(0, 10)
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/**
 * Runs workloads as local processes. A template change rolls replicas one at a time: the new one
 * must be ready before the old one leaves the endpoints, and the old one is stopped only after a
 * drain period, so no request is cut off by a rollout.
 */
export class ProcessRunner {
  readonly #deps: RunnerDeps
  readonly #workloads = new Map<string, Workload>()
  readonly #stopping = new Set<Promise<void>>()
  #closed = false

  constructor(deps: RunnerDeps) {
    this.#deps = deps
  }

  /** Declares what should run; reconciles in the background. */
  apply(spec: WorkloadSpec): void {
    if (this.#closed) return
    const hash = templateHash(spec.template)
    const existing = this.#workloads.get(spec.key)
    const workload: Workload = existing ?? { spec, hash, slots: [], busy: false, dirty: false }
    workload.spec = spec
    workload.hash = hash
    this.#workloads.set(spec.key, workload)
    void this.#reconcile(workload)
  }

  async remove(key: string): Promise<void> {
    const w = this.#workloads.get(key)
    if (w === undefined) return
    this.#workloads.delete(key)
    const all = w.slots
      .flatMap((s) => [s.current, s.next])
      .filter((r): r is Replica => r !== undefined)
    this.#deps.onChange()
    await Promise.all(all.map((r) => this.#stop(r, true)))
  }

  keys(): string[] {
    return [...this.#workloads.keys()]
  }

  status(key: string): WorkloadStatus | undefined {
    const w = this.#workloads.get(key)
    if (w === undefined) return undefined
    const live = w.slots
      .flatMap((s) => [s.current, s.next])
      .filter((r): r is Replica => r !== undefined)
    const ready = live.filter((r) => r.ready && r.hash === w.hash).length
    const notReady = live.find((r) => r.hash === w.hash && !r.ready)
    const message =
      w.failed ??
      (ready >= w.spec.replicas
        ? `${ready}/${w.spec.replicas} ready`
        : `${ready}/${w.spec.replicas} ready${notReady === undefined ? '' : `; ${notReady.spec.name}: ${notReady.message}`}`)
    return { hash: w.hash, desired: w.spec.replicas, ready, message, failed: w.failed }
  }

  /** Loopback addresses of the ready replicas that serve traffic. */
  endpoints(key: string): { ip: string; port: number }[] {
    const w = this.#workloads.get(key)
    if (w === undefined) return []
    return w.slots
      .map((s) => s.current)
      .filter((r): r is Replica => r?.ready === true)
      .map((r) => ({ ip: '127.0.0.1', port: r.spec.port }))
  }

  /** Replicas with their ports and pids, for status displays. */
  replicas(key: string): {
    name: string
    port: number
    pid?: number | undefined
    ready: boolean
    hash: string
    restarts: number
  }[] {
    const w = this.#workloads.get(key)
    if (w === undefined) return []
    return w.slots
      .flatMap((s) => [s.current, s.next])
      .filter((r): r is Replica => r !== undefined)
      .map((r) => ({
        name: r.spec.name,
        port: r.spec.port,
        pid: r.pid,
        ready: r.ready,
        hash: r.hash,
        restarts: r.restarts,
      }))
  }

  async close(): Promise<void> {
    this.#closed = true
    await Promise.all(this.keys().map((k) => this.remove(k)))
    await Promise.all(this.#stopping)
  }

  /** One reconcile at a time per workload; a request during one makes it run again after. */
  async #reconcile(w: Workload): Promise<void> {
    if (w.busy) {
      w.dirty = true
      return
    }
    w.busy = true
    const again = (): boolean => w.dirty
    try {
      do {
        w.dirty = false
        await this.#reconcileSlots(w)
      } while (again())
    } catch (err) {
      this.#deps.log.error('reconcile failed', { workload: w.spec.key, error: errorMessage(err) })
    } finally {
      w.busy = false
    }
  }

  async #reconcileSlots(w: Workload): Promise<void> {
    if (this.#workloads.get(w.spec.key) !== w || this.#closed) return
    const wanted = w.spec.replicas
    for (let i = 0; i < Math.max(wanted, w.slots.length); i++) {
      const slot = (w.slots[i] ??= {})
      if (i >= wanted) {
        this.#retire(slot.current)
        this.#retire(slot.next, true)
        slot.current = slot.next = undefined
        continue
      }
      if (slot.current?.hash === w.hash) {
        this.#retire(slot.next, true)
        slot.next = undefined
        continue
      }
      if (slot.next?.hash !== w.hash) {
        this.#retire(slot.next, true)
        slot.next = await this.#launch(w, i)
      }
      if (slot.next?.ready === true) {
        const old = slot.current
        slot.current = slot.next
        slot.next = undefined
        this.#retire(old)
      }
    }
    while (
      w.slots.length > wanted &&
      w.slots.at(-1)?.current === undefined &&
      w.slots.at(-1)?.next === undefined
    )
      w.slots.pop()
    this.#deps.onChange()
  }

  async #launch(w: Workload, index: number): Promise<Replica | undefined> {
    const container = w.spec.template.spec.containers[0]
    if (container === undefined) return undefined
    const entry = this.#deps.images().get(container.image)
    if (entry === undefined) {
      w.failed = `image ${container.image} is not in any ImageCatalog`
      return undefined
    }
    w.failed = undefined
    const port = await freePort()
    const name = `${w.spec.key.split('/')[1] ?? w.spec.key}-${w.hash.slice(0, 5)}-${index}`
    await mkdir(this.#deps.logDir, { recursive: true })
    const env: Record<string, string> = { ...minimalEnv(), ...entry.env }
    for (const e of container.env ?? []) env[e.name] = e.value ?? ''
    Object.assign(env, this.#deps.env, {
      PORT: String(port),
      HOST: '127.0.0.1',
      FLEDGE_REPLICA: name,
    })
    const replica = new Replica(
      {
        name,
        argv: [...this.#argv(entry), ...(container.args ?? [])].map((a) => expandVars(a, env)),
        cwd: entry.baseDir,
        env,
        port,
        logFile: join(this.#deps.logDir, `${name}.log`),
        readinessProbe: container.readinessProbe,
      },
      w.hash,
      () => {
        this.#deps.onChange()
        void this.#reconcile(w)
      },
    )
    if (replica.pid !== undefined) await this.#deps.records?.record(name, replica.pid)
    return replica
  }

  #argv(entry: ResolvedCatalogEntry): string[] {
    if (entry.node !== undefined)
      return [process.execPath, '--import', this.#deps.tsLoader, resolve(entry.baseDir, entry.node)]
    if (entry.fledge !== undefined) return [process.execPath, this.#deps.fledgeBin, ...entry.fledge]
    const [cmd = '', ...rest] = entry.command ?? []
    const program = cmd.startsWith('.') && !isAbsolute(cmd) ? resolve(entry.baseDir, cmd) : cmd
    return [program, ...rest]
  }

  /** Takes a replica out of the endpoints at once, stops it after the drain period. */
  #retire(replica: Replica | undefined, now = false): void {
    if (replica === undefined) return
    const stopping = this.#stop(replica, now)
    this.#stopping.add(stopping)
    void stopping.finally(() => this.#stopping.delete(stopping))
  }

  async #stop(replica: Replica, now: boolean): Promise<void> {
    replica.ready = false
    this.#deps.onChange()
    if (!now) await new Promise((r) => setTimeout(r, this.#deps.drainMs ?? 1_000))
    await replica.stop()
    await this.#deps.records?.forget(replica.spec.name)
  }
}

/** Kubernetes' `$(VAR)` expansion in args; `$$(VAR)` escapes it; unknown names stay as written. */
export function expandVars(arg: string, env: Readonly<Record<string, string>>): string {
  return arg.replace(
    /\$(\$)?\(([A-Za-z_][A-Za-z0-9_]*)\)/g,
    (whole, escaped: string | undefined, name: string) =>
      escaped !== undefined ? `$(${name})` : (env[name] ?? whole),
  )
}

function minimalEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const k of ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR']) {
    const v = process.env[k]
    if (v !== undefined) env[k] = v
  }
  return env
}
