import type { AddressInfo } from 'node:net'
import { Registry } from 'prom-client'
import type { CanaryStatus } from '../../../src/api/canary-status.js'
import type { ApiBackend } from '../../../src/server/app.js'
import { createApiApp } from '../../../src/server/app.js'
import { canaryView } from '../../../src/server/views.js'
import { newTestCanary } from '../../fixtures/canary.js'

type Listener = (kind: 'canary' | 'event', data: unknown) => void

/** A Canary for deployment `name`, in the shape the controller stores it. */
export function rawCanary(name: string, namespace = 'default', status: CanaryStatus = {}): unknown {
  const c = newTestCanary({ interval: '30s', threshold: 2, maxWeight: 50, stepWeight: 10 })
  return {
    ...c,
    metadata: { name, namespace },
    spec: { ...c.spec, targetRef: { ...c.spec.targetRef, name } },
    status,
  }
}

/**
 * An ApiBackend a test scripts by hand: it holds raw Canaries and revisions, pushes a CanaryView
 * to watchers on every `update`, and records the commands, applies and image changes it gets.
 */
export class FakeBackend implements ApiBackend {
  readonly raw = new Map<string, unknown>()
  readonly revisions = new Map<string, string>()
  readonly recorded: { key: string; verb: string }[] = []
  readonly applied: { name: string; text: string }[] = []
  readonly images: { namespace: string; deployment: string; container: string; image: string }[] =
    []
  readonly eventLog: unknown[] = []
  applyError: Error | undefined
  readonly #listeners = new Set<Listener>()
  #subscribed: (() => void)[] = []

  canaries(): Promise<Map<string, unknown>> {
    return Promise.resolve(new Map(this.raw))
  }

  targetRevision(key: string): string | undefined {
    return this.revisions.get(key)
  }

  command(key: string, verb: string): Promise<string> {
    this.recorded.push({ key, verb })
    return Promise.resolve(`${verb}@1700000000000`)
  }

  events(canary?: string): readonly unknown[] {
    return this.eventLog.filter(
      (e) => canary === undefined || (e as { canary?: string }).canary === canary,
    )
  }

  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener)
    for (const resolve of this.#subscribed) resolve()
    this.#subscribed = []
    return () => this.#listeners.delete(listener)
  }

  /** Resolves once someone (else) follows the watch stream. */
  watched(): Promise<void> {
    if (this.#listeners.size > 0) return Promise.resolve()
    return new Promise((resolve) => this.#subscribed.push(resolve))
  }

  get watchers(): number {
    return this.#listeners.size
  }

  problemList: unknown[] = []

  problems(): readonly unknown[] {
    return this.problemList
  }

  workloads(): unknown {
    return []
  }

  apply(name: string, text: string): Promise<string> {
    if (this.applyError !== undefined) return Promise.reject(this.applyError)
    this.applied.push({ name, text })
    return Promise.resolve(`/manifests/${name}`)
  }

  setImage(
    namespace: string,
    deployment: string,
    container: string,
    image: string,
  ): Promise<{ file: string; previous: string } | undefined> {
    this.images.push({ namespace, deployment, container, image })
    if (image === 'booksapp:v1') return Promise.resolve(undefined)
    return Promise.resolve({ file: `${deployment}.yaml`, previous: 'booksapp:v1' })
  }

  /** Replaces a Canary's status and tells the watchers, as the controller does on a write. */
  update(key: string, status: CanaryStatus, push = true): void {
    const [namespace = 'default', name = key] = key.split('/')
    const raw = rawCanary(name, namespace, status)
    this.raw.set(key, raw)
    if (push) this.emit('canary', canaryView(key, raw, this.revisions.get(key)))
  }

  event(key: string, reason: string, message: string): void {
    const e = { type: 'Normal', reason, message, canary: key, time: new Date().toISOString() }
    this.eventLog.push(e)
    this.emit('event', e)
  }

  emit(kind: 'canary' | 'event', data: unknown): void {
    for (const l of this.#listeners) l(kind, data)
  }
}

export const TOKEN = 'test-token-0123456789'

export interface Running {
  readonly url: string
  close(): Promise<void>
  /** Drops every open connection (the watch stream included), as a controller restart would. */
  dropConnections(): void
}

/** The real API app over `backend`, on 127.0.0.1 port 0. */
export async function startApi(backend: ApiBackend, dashboardDir?: string): Promise<Running> {
  const app = createApiApp({ backend, token: TOKEN, registry: new Registry(), dashboardDir })
  const server = app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    dropConnections: () => {
      server.closeAllConnections()
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => {
          resolve()
        })
      }),
  }
}

/** A Console that keeps what a command prints. */
export function captureConsole(): {
  out(text: string): void
  err(text: string): void
  stdout: string[]
  stderr: string[]
} {
  const stdout: string[] = []
  const stderr: string[] = []
  return {
    stdout,
    stderr,
    out: (t) => stdout.push(t),
    err: (t) => stderr.push(t),
  }
}

/** An ApiBackend that forwards to whatever `current()` returns, so tests can swap backends. */
export function forwarding(current: () => FakeBackend): ApiBackend {
  return {
    canaries: () => current().canaries(),
    targetRevision: (k) => current().targetRevision(k),
    command: (k, v) => current().command(k, v),
    events: (c) => current().events(c),
    subscribe: (l) => current().subscribe(l),
    problems: () => current().problems(),
    workloads: () => current().workloads(),
    apply: (n, t) => current().apply(n, t),
    setImage: (ns, d, c, i) => current().setImage(ns, d, c, i),
  }
}
