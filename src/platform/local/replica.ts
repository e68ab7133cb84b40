import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, type WriteStream } from 'node:fs'
import { request } from 'node:http'
import type { Probe } from './manifest-schemas.js'

/** How to start one replica's process. */
export interface LaunchSpec {
  readonly name: string
  readonly argv: readonly string[]
  readonly cwd: string
  readonly env: Readonly<Record<string, string>>
  readonly port: number
  readonly logFile: string
  readonly readinessProbe?: Probe | undefined
}

const MAX_BACKOFF_MS = 30_000

/**
 * One replica: a process on a loopback port, probed for readiness, restarted with exponential
 * backoff when it exits (liveness), stopped with SIGTERM then SIGKILL.
 */
export class Replica {
  readonly spec: LaunchSpec
  readonly hash: string
  ready = false
  restarts = 0
  message = 'starting'
  #child: ChildProcess | undefined
  #log: WriteStream
  #stopped = false
  #probeTimer: NodeJS.Timeout | undefined
  #restartTimer: NodeJS.Timeout | undefined
  #failures = 0
  readonly #onChange: () => void

  constructor(spec: LaunchSpec, hash: string, onChange: () => void) {
    this.spec = spec
    this.hash = hash
    this.#onChange = onChange
    this.#log = createWriteStream(spec.logFile, { flags: 'a' })
    this.#start()
  }

  get pid(): number | undefined {
    return this.#child?.pid
  }

  #start(): void {
    const [cmd, ...args] = this.spec.argv
    if (cmd === undefined) return
    this.#log.write(
      `--- ${new Date().toISOString()} starting ${this.spec.argv.join(' ')} on port ${this.spec.port}\n`,
    )
    const child = spawn(cmd, args, {
      cwd: this.spec.cwd,
      env: this.spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.#child = child
    child.stdout.pipe(this.#log, { end: false })
    child.stderr.pipe(this.#log, { end: false })
    child.on('error', (err) => {
      this.#log.write(`--- spawn failed: ${err.message}\n`)
    })
    child.on('exit', (code, signal) => {
      this.#child = undefined
      this.#setReady(false)
      if (this.#stopped) return
      this.restarts++
      const backoff = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(this.restarts, 8))
      this.message = `exited (${signal ?? `code ${code ?? '?'}`}); restart ${this.restarts} in ${backoff}ms`
      this.#log.write(`--- ${this.message}\n`)
      this.#onChange()
      this.#restartTimer = setTimeout(() => {
        if (!this.#stopped) this.#start()
      }, backoff)
    })
    const probe = this.spec.readinessProbe
    const initial = (probe?.initialDelaySeconds ?? 0) * 1000
    this.#probeTimer = setTimeout(() => {
      this.#probe()
    }, initial)
  }

  #probe(): void {
    if (this.#stopped || this.#child === undefined) return
    const probe = this.spec.readinessProbe
    const period = (probe?.periodSeconds ?? 1) * 1000
    const threshold = probe?.failureThreshold ?? 3
    void probeOnce(this.spec.port, probe).then((ok) => {
      if (this.#stopped) return
      if (ok) {
        this.#failures = 0
        this.message = 'ready'
        this.#setReady(true)
      } else if (++this.#failures >= threshold || !this.ready) {
        if (this.ready) this.message = `readiness probe failed ${this.#failures} times`
        this.#setReady(false)
      }
      // Probe fast until first ready, then at the probe's period.
      this.#probeTimer = setTimeout(
        () => {
          this.#probe()
        },
        this.ready ? period : Math.min(period, 200),
      )
    })
  }

  #setReady(ready: boolean): void {
    if (this.ready === ready) return
    this.ready = ready
    this.#onChange()
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 5_000): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#probeTimer)
    clearTimeout(this.#restartTimer)
    this.ready = false
    const child = this.#child
    if (child?.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) =>
        child.once('exit', () => {
          resolve()
        }),
      )
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      await exited
      clearTimeout(timer)
    }
    await new Promise<void>((resolve) => this.#log.end(resolve))
  }
}

/** One readiness check: the probe's HTTP GET (2xx/3xx passes), or a plain connect without a probe. */
function probeOnce(port: number, probe: Probe | undefined): Promise<boolean> {
  const timeout = (probe?.timeoutSeconds ?? 1) * 1000
  const path = probe?.httpGet?.path ?? '/'
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'GET', timeout, agent: false },
      (res) => {
        res.resume()
        const ok =
          probe?.httpGet === undefined ||
          ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400)
        resolve(ok)
      },
    )
    req.on('timeout', () => req.destroy())
    req.on('error', () => {
      resolve(false)
    })
    req.end()
  })
}
