import { isRecord } from '../../api/documents.js'
import type { CanaryStatus } from '../../api/canary-status.js'
import { COMMAND_ANNOTATION } from '../../controller/commands.js'
import type { CanaryStore } from '../../controller/ports.js'
import { fileKey, keyFile, type StateDir } from './state-dir.js'

/** A Canary's stored state: its status and a command not yet carried out. */
interface StoredCanary {
  readonly status?: CanaryStatus
}

/**
 * Canaries as the manifests directory declares them, with their status and pending commands from
 * the state directory. Manifests are the user's (a Git tree): fledge never writes into them.
 */
export class LocalCanaryStore implements CanaryStore {
  readonly #state: StateDir
  readonly #objects: () => ReadonlyMap<string, Record<string, unknown>>
  readonly #onGone: (key: string) => Promise<void>
  readonly #status = new Map<string, CanaryStatus>()
  readonly #commands = new Map<string, string>()

  constructor(
    state: StateDir,
    objects: () => ReadonlyMap<string, Record<string, unknown>>,
    onGone: (key: string) => Promise<void>,
  ) {
    this.#state = state
    this.#objects = objects
    this.#onGone = onGone
  }

  /** Loads every stored status and command (at start-up, to resume). */
  async load(): Promise<void> {
    for (const file of await this.#state.list('canaries')) {
      const stored = await this.#state.readJson<StoredCanary>('canaries', file)
      if (stored?.status !== undefined) this.#status.set(fileKey(file), stored.status)
    }
    for (const file of await this.#state.list('commands')) {
      const stored = await this.#state.readJson<{ value: string }>('commands', file)
      if (stored !== undefined) this.#commands.set(fileKey(file), stored.value)
    }
  }

  get(key: string): Promise<unknown> {
    const obj = this.#objects().get(key)
    if (obj === undefined) return Promise.resolve(undefined)
    const copy = structuredClone(obj)
    const status = this.#status.get(key)
    if (status !== undefined) copy['status'] = structuredClone(status)
    const command = this.#commands.get(key)
    if (command !== undefined) {
      const meta = isRecord(copy['metadata']) ? copy['metadata'] : {}
      const annotations = isRecord(meta['annotations']) ? meta['annotations'] : {}
      copy['metadata'] = { ...meta, annotations: { ...annotations, [COMMAND_ANNOTATION]: command } }
    }
    return Promise.resolve(copy)
  }

  status(key: string): CanaryStatus | undefined {
    return this.#status.get(key)
  }

  async patchStatus(key: string, status: CanaryStatus): Promise<void> {
    await this.#state.writeJson({ status }, 'canaries', keyFile(key))
    this.#status.set(key, structuredClone(status))
  }

  /** Queues a command for the engine, as the annotation would (`<verb>@<id>`). */
  async command(key: string, verb: string, id: string): Promise<string> {
    const value = `${verb}@${id}`
    await this.#state.writeJson({ value }, 'commands', keyFile(key))
    this.#commands.set(key, value)
    return value
  }

  async removeFinalizer(key: string): Promise<void> {
    await this.#onGone(key)
    await this.forget(key)
  }

  /** Drops everything stored for a Canary that no longer exists. */
  async forget(key: string): Promise<void> {
    this.#status.delete(key)
    this.#commands.delete(key)
    await this.#state.remove('canaries', keyFile(key))
    await this.#state.remove('commands', keyFile(key))
  }
}
