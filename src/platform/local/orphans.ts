import { readFile } from 'node:fs/promises'
import type { StateDir } from './state-dir.js'

/**
 * Replica processes outlive a controller killed with SIGKILL. Each one's pid is recorded in the
 * state directory; the next start stops those still alive, checking the process's environment so
 * a pid reused by something else is never touched.
 */
export class ReplicaRecords {
  readonly #state: StateDir

  constructor(state: StateDir) {
    this.#state = state
  }

  async record(name: string, pid: number): Promise<void> {
    await this.#state.writeJson({ name, pid }, 'replicas', `${name}.json`)
  }

  async forget(name: string): Promise<void> {
    await this.#state.remove('replicas', `${name}.json`)
  }

  /** Stops every recorded replica still running; returns how many were found. */
  async reap(): Promise<number> {
    let found = 0
    for (const file of await this.#state.list('replicas')) {
      const rec = await this.#state.readJson<{ name: string; pid: number }>('replicas', file)
      if (rec !== undefined && (await isReplica(rec.pid, rec.name))) {
        found++
        try {
          process.kill(rec.pid, 'SIGKILL')
        } catch {
          // already gone
        }
      }
      await this.#state.remove('replicas', file)
    }
    return found
  }
}

async function isReplica(pid: number, name: string): Promise<boolean> {
  try {
    const environ = await readFile(`/proc/${pid}/environ`, 'latin1')
    return environ.split('\0').includes(`FLEDGE_REPLICA=${name}`)
  } catch {
    return false
  }
}
