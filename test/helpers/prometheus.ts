import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { freePort } from '../../src/util/free-port.js'
export { freePort }

/** Finds the `prometheus` binary on PATH (or /usr/bin); undefined when it is not installed. */
export function findPrometheus(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/bin', '/usr/local/bin']
  for (const dir of dirs) {
    if (dir === '') continue
    const candidate = join(dir, 'prometheus')
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

/** Why a Prometheus test cannot run here, or undefined when it can. Printed as the skip reason. */
export function prometheusSkipReason(): string | undefined {
  return findPrometheus() === undefined
    ? 'prometheus binary not found on PATH (Debian package "prometheus"; CI installs it)'
    : undefined
}

export interface PrometheusOptions {
  /** `host:port` targets to scrape (their `/metrics`). */
  readonly targets: readonly string[]
  /** Scrape interval; default 1s. */
  readonly scrapeInterval?: string
}

/** A Prometheus the test owns: its own port, config and storage directory. */
export interface TestPrometheus {
  readonly url: string
  /** Stops the process (SIGTERM, then SIGKILL after 10 s); storage is kept for a restart. */
  stop(): Promise<void>
  /** Starts it again on the same port and storage, and waits until it is ready. */
  restart(): Promise<void>
  /** Stops it and removes its storage. */
  close(): Promise<void>
  /** Its output, for failure messages. */
  logs(): string
}

/** Starts Prometheus on 127.0.0.1 scraping `targets`, and waits for `/-/ready`. */
export async function startPrometheus(options: PrometheusOptions): Promise<TestPrometheus> {
  const bin = findPrometheus()
  if (bin === undefined) throw new Error('prometheus binary not found')
  const dir = await mkdtemp(join(tmpdir(), 'fledge-prom-'))
  const interval = options.scrapeInterval ?? '1s'
  const config = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    'scrape_configs:',
    '  - job_name: fledge-test',
    `    scrape_timeout: ${interval}`,
    '    static_configs:',
    `      - targets: [${options.targets.map((t) => JSON.stringify(t)).join(', ')}]`,
    '',
  ].join('\n')
  await writeFile(join(dir, 'prometheus.yml'), config)
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  let child: ChildProcess | undefined
  let output = ''
  const launch = async (): Promise<void> => {
    const proc = spawn(
      bin,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    child = proc
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-20_000)
    }
    proc.stdout.on('data', keep)
    proc.stderr.on('data', keep)
    await waitReady(url, proc, () => output)
  }
  const stop = async (): Promise<void> => {
    const proc = child
    child = undefined
    if (proc?.exitCode !== null || proc.signalCode !== null) return
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => proc.kill('SIGKILL'), 10_000)
      proc.once('exit', () => {
        clearTimeout(kill)
        resolve()
      })
      proc.kill('SIGTERM')
    })
  }
  try {
    await launch()
  } catch (err) {
    await stop()
    await rm(dir, { recursive: true, force: true })
    throw err
  }
  return {
    url,
    stop,
    restart: launch,
    async close() {
      await stop()
      await rm(dir, { recursive: true, force: true })
    },
    logs: () => output,
  }
}

/** Polls `/-/ready` every 100 ms for up to 60 s (a loaded CI machine starts it slowly). */
async function waitReady(url: string, proc: ChildProcess, logs: () => string): Promise<void> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`prometheus exited (${proc.exitCode}): ${logs()}`)
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })
      await res.arrayBuffer()
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`prometheus at ${url} not ready after 60 s: ${logs()}`)
}

/**
 * Polls `until` every 200 ms until it returns true, for at most `timeoutMs`; fails with `what`.
 * Tests wait for data this way, never with fixed sleeps.
 */
export async function eventually(
  what: string,
  until: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      if (await until()) return
    } catch (err) {
      last = err
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(
    `timed out after ${timeoutMs}ms waiting for ${what}${last === undefined ? '' : `: ${errorText(last)}`}`,
  )
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : JSON.stringify(err)
}
