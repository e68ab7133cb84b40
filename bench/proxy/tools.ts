/** Process, port and load-generator helpers for the proxy benchmark. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { connect } from 'node:net'
import { processTree } from './procstat.js'
import { freePort } from '../../src/util/free-port.js'
export { freePort }

export function which(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0
}

/** Starts a long-running process; its stderr tail is printed if it fails. */
export function start(cmd: string[], name: string, cwd: string): ChildProcess {
  const [bin, ...rest] = cmd
  const child = spawn(bin!, rest, { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  child.stderr.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000)
  })
  child.on('exit', (code, signal) => {
    if (code !== 0 && code !== null && signal === null) {
      process.stderr.write(`${name} exited with ${code}: ${err}\n`)
    }
  })
  return child
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  const t = setTimeout(() => child.kill('SIGKILL'), 3000)
  await exited
  clearTimeout(t)
}

/** Runs a command to completion; resolves its stdout. */
export function run(cmd: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const [bin, ...rest] = cmd
    const child = spawn(bin!, rest, { cwd, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('error', reject)
    child.on('exit', () => {
      resolve(out)
    })
  })
}

/** Waits until a GET with Host: bench answers 200. */
export async function ready(port: number, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1')
      let got = ''
      s.on('connect', () => {
        s.write('GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n')
      })
      s.on('data', (d: Buffer) => (got += d.toString('latin1')))
      s.on('error', () => {
        r(false)
      })
      s.on('close', () => {
        r(got.startsWith('HTTP/1.1 200'))
      })
      s.setTimeout(1000, () => s.destroy())
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`nothing answering 200 on port ${port}`)
}

/** Sets the CPU affinity of every thread of a process tree (no-op without taskset). */
export function pinTree(pid: number, cpuList: string): void {
  for (const p of processTree(pid)) {
    spawnSync('taskset', ['-a', '-p', '-c', cpuList, String(p)], { stdio: 'ignore' })
  }
}

const toMs = (v: string, unit: string): number =>
  unit === 'us' ? Number(v) / 1000 : unit === 's' ? Number(v) * 1000 : Number(v)

export interface WrkResult {
  rps: number
  p50: number
  p99: number
  errors: number
}

/** Parses wrk's `--latency` report. */
export function parseWrk(out: string): WrkResult {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN)
  const pct = (p: string): number => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out)
    return m === null ? NaN : toMs(m[1]!, m[2]!)
  }
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out)
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const errors =
    Number(non2xx?.[1] ?? 0) +
    (sock === null ? 0 : sock.slice(1).reduce((a, b) => a + Number(b), 0))
  return { rps, p50: pct('50'), p99: pct('99'), errors }
}

/** One open-loop paced run (paced-load.ts). */
export interface Paced {
  achieved: number
  completed: number
  p50: number
  p90: number
  p99: number
  p999: number
  errors: number
  queued: number
}

export function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}
