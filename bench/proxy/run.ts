/**
 * `npm run bench:proxy`: fledge's proxy against nginx and HAProxy, measured in the same run.
 *
 * Starts two fast upstreams (single-worker nginx, `return 200`, 100-byte body), then for each
 * target (direct, nginx, HAProxy, fledge's http1 engine, `fledge proxy` when present, and a naive
 * node:http + undici proxy for reference), each splitting 90/10 with kept-alive upstream
 * connections: throughput at saturation (wrk, fixed duration and connections), p50/p99 at a fixed
 * 2,000 req/s (an open-loop generator, paced-load.ts), CPU per request and RSS idle/under load.
 * With taskset, each proxy is pinned alone on CPU 1 and everything else on CPU 0, so throughput is
 * per core. Installs nothing. Flags: --quick (short run), --no-pin, --only a,b (target names).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { createServer, connect, type AddressInfo } from 'node:net'
import { cpus, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fledgeFiles, haproxy, nginxProxy, nginxUpstream } from './configs.js'
import { cpuSeconds, rssKiB } from './procstat.js'

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const onlyArg = args[args.indexOf('--only') + 1]
const only = args.includes('--only') && onlyArg !== undefined ? onlyArg.split(',') : null
const root = resolve(fileURLToPath(import.meta.url), '../../..')
const D = quick
  ? { warmup: 1, saturate: 3, paced: 3, rate: 2000 }
  : { warmup: 2, saturate: 8, paced: 8, rate: 2000 }
const WRK_THREADS = 2
const WRK_CONNECTIONS = 50

function which(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0
}

const missing = ['nginx', 'haproxy', 'wrk'].filter((b) => !which(b))
if (missing.length > 0) {
  process.stderr.write(
    `bench:proxy needs ${missing.join(', ')} on PATH. On Debian:\n  sudo apt-get install nginx-light haproxy wrk\n`,
  )
  process.exit(2)
}
const pin = which('taskset') && !args.includes('--no-pin') && cpus().length >= 2
const onProxyCpu = (cmd: string[]): string[] => (pin ? ['taskset', '-c', '1', ...cmd] : cmd)
const onLoadCpu = (cmd: string[]): string[] => (pin ? ['taskset', '-c', '0', ...cmd] : cmd)

const dir = mkdtempSync(join(tmpdir(), 'fledge-bench-'))
const children: ChildProcess[] = []

function start(cmd: string[], name: string): ChildProcess {
  const [bin, ...rest] = cmd
  const child = spawn(bin!, rest, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString()
    if (err.length > 4000) err = err.slice(-4000)
  })
  child.on('exit', (code, signal) => {
    if (code !== 0 && code !== null && signal === null) {
      process.stderr.write(`${name} exited with ${code}: ${err}\n`)
    }
  })
  children.push(child)
  return child
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  const t = setTimeout(() => child.kill('SIGKILL'), 3000)
  await exited
  clearTimeout(t)
}

async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const { port } = s.address() as AddressInfo
  await new Promise<void>((r) =>
    s.close(() => {
      r()
    }),
  )
  return port
}

/** Waits until a GET with Host: bench answers 200. */
async function ready(port: number, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1')
      let got = ''
      s.on('connect', () => s.write('GET / HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n'))
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

function run(cmd: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const [bin, ...rest] = cmd
    const child = spawn(bin!, rest, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('error', reject)
    child.on('exit', () => {
      resolvePromise(out)
    })
  })
}

const toMs = (v: string, unit: string): number =>
  unit === 'us' ? Number(v) / 1000 : unit === 's' ? Number(v) * 1000 : Number(v)

interface WrkResult {
  rps: number
  p50: number
  p99: number
  errors: number
}

async function wrk(port: number, seconds: number): Promise<WrkResult> {
  const out = await run(
    onLoadCpu([
      'wrk',
      `-t${WRK_THREADS}`,
      `-c${WRK_CONNECTIONS}`,
      `-d${seconds}s`,
      '--latency',
      '-H',
      'Host: bench',
      `http://127.0.0.1:${port}/`,
    ]),
  )
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN)
  const pct = (p: string): number => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out)
    return m === null ? NaN : toMs(m[1]!, m[2]!)
  }
  const errs = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out)
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const errors =
    Number(errs?.[1] ?? 0) + (sock === null ? 0 : sock.slice(1).reduce((a, b) => a + Number(b), 0))
  return { rps, p50: pct('50'), p99: pct('99'), errors }
}

interface Paced {
  achieved: number
  p50: number
  p99: number
  p999: number
  errors: number
  queued: number
  completed: number
}

async function paced(port: number): Promise<Paced> {
  const out = await run(
    onLoadCpu([
      process.execPath,
      '--import',
      'tsx',
      'bench/proxy/paced-load.ts',
      String(port),
      String(D.rate),
      String(D.paced),
      '32',
      'bench',
      '1',
    ]),
  )
  return JSON.parse(out) as Paced
}

interface Target {
  name: string
  label: string
  start(a: number, b: number, port: number): ChildProcess
}

const upstreamDir = (n: string): string => {
  const d = join(dir, n)
  mkdirSync(d, { recursive: true })
  return d
}

const node = (script: string, ...rest: string[]): string[] => [
  process.execPath,
  '--import',
  'tsx',
  script,
  ...rest,
]

const fledgeRoot = args.includes('--fledge-root')
  ? resolve(args[args.indexOf('--fledge-root') + 1]!)
  : root
const hasFledgeProxy = existsSync(join(fledgeRoot, 'src/cli/proxy.ts'))

const targets: Target[] = [
  {
    name: 'nginx',
    label: 'nginx 1 worker',
    start: (a, b, port) => {
      const d = upstreamDir('nginx-proxy')
      writeFileSync(join(d, 'nginx.conf'), nginxProxy(d, port, a, b))
      return start(
        onProxyCpu(['nginx', '-e', join(d, 'error.log'), '-p', d, '-c', join(d, 'nginx.conf')]),
        'nginx',
      )
    },
  },
  {
    name: 'haproxy',
    label: 'HAProxy nbthread 1',
    start: (a, b, port) => {
      const f = join(dir, 'haproxy.cfg')
      writeFileSync(f, haproxy(port, a, b))
      return start(onProxyCpu(['haproxy', '-db', '-f', f]), 'haproxy')
    },
  },
  {
    name: 'http1',
    label: 'fledge http1 engine (harness)',
    start: (a, b, port) =>
      start(
        onProxyCpu(node('bench/proxy/http1-harness.ts', String(port), String(a), String(b))),
        'http1',
      ),
  },
  {
    name: 'fledge',
    label: 'fledge proxy',
    start: (_a, _b, port) => {
      const { disco, splits } = fledgeFiles(ports.a, ports.b)
      const d = upstreamDir('disco')
      for (const [name, text] of Object.entries(disco)) writeFileSync(join(d, name), text)
      writeFileSync(join(dir, 'splits.yaml'), splits)
      return start(
        onProxyCpu([
          process.execPath,
          join(fledgeRoot, 'bin/fledge.js'),
          'proxy',
          '--disco',
          d,
          '--splits',
          join(dir, 'splits.yaml'),
          '--listen',
          `127.0.0.1:${port}`,
          '--admin',
          `127.0.0.1:${ports.admin}`,
        ]),
        'fledge proxy',
      )
    },
  },
  {
    name: 'naive',
    label: 'node:http + undici (naive)',
    start: (a, b, port) =>
      start(
        onProxyCpu(node('bench/proxy/naive-proxy.ts', String(port), String(a), String(b))),
        'naive',
      ),
  },
]

interface Row {
  name: string
  label: string
  rps: number
  satP50: number
  satP99: number
  cpuUsPerReq: number
  cpuCores: number
  pacedP50: number
  pacedP99: number
  pacedP999: number
  pacedAchieved: number
  pacedCpuUsPerReq: number
  rssIdleMiB: number
  rssLoadMiB: number
  errors: number
}

const ports = { a: 0, b: 0, admin: 0 }

async function measure(
  name: string,
  label: string,
  port: number,
  pid: number | undefined,
): Promise<Row> {
  await ready(port)
  const rssIdle = pid === undefined ? NaN : rssKiB(pid) / 1024
  await wrk(port, D.warmup)
  let rssLoad = rssIdle
  const sampler = setInterval(() => {
    if (pid !== undefined) rssLoad = Math.max(rssLoad, rssKiB(pid) / 1024)
  }, 250)
  const cpu0 = pid === undefined ? 0 : cpuSeconds(pid)
  const t0 = Date.now()
  const sat = await wrk(port, D.saturate)
  const cpu1 = pid === undefined ? 0 : cpuSeconds(pid)
  const wall = (Date.now() - t0) / 1000
  clearInterval(sampler)
  const p = await paced(port)
  const cpu2 = pid === undefined ? 0 : cpuSeconds(pid)
  const row: Row = {
    name,
    label,
    rps: sat.rps,
    satP50: sat.p50,
    satP99: sat.p99,
    cpuUsPerReq: pid === undefined ? NaN : ((cpu1 - cpu0) / (sat.rps * wall)) * 1e6,
    cpuCores: pid === undefined ? NaN : (cpu1 - cpu0) / wall,
    pacedP50: p.p50,
    pacedP99: p.p99,
    pacedP999: p.p999,
    pacedAchieved: p.achieved,
    pacedCpuUsPerReq: pid === undefined ? NaN : ((cpu2 - cpu1) / p.completed) * 1e6,
    rssIdleMiB: rssIdle,
    rssLoadMiB: rssLoad,
    errors: sat.errors + p.errors,
  }
  process.stderr.write(
    `  ${label}: ${row.rps.toFixed(0)} req/s, 2k paced p50 ${row.pacedP50.toFixed(3)} ms p99 ${row.pacedP99.toFixed(3)} ms\n`,
  )
  return row
}

const rows: Row[] = []
try {
  ports.a = await freePort()
  ports.b = await freePort()
  ports.admin = await freePort()
  for (const [n, port] of [
    ['upstream-a', ports.a],
    ['upstream-b', ports.b],
  ] as const) {
    const d = upstreamDir(n)
    writeFileSync(join(d, 'nginx.conf'), nginxUpstream(d, port))
    start(onLoadCpu(['nginx', '-e', join(d, 'error.log'), '-p', d, '-c', join(d, 'nginx.conf')]), n)
  }
  await ready(ports.a)
  await ready(ports.b)
  process.stderr.write(
    `bench:proxy ${quick ? '(quick) ' : ''}pinning ${pin ? 'on (proxy CPU 1, rest CPU 0)' : 'off'}; temp ${dir}\n`,
  )
  if (only === null || only.includes('direct')) {
    rows.push(await measure('direct', 'direct (upstream A, no proxy)', ports.a, undefined))
  }
  for (const t of targets) {
    if (only !== null && !only.includes(t.name)) continue
    if (t.name === 'fledge' && !hasFledgeProxy) {
      process.stderr.write(`  fledge proxy: skipped (no src/cli/proxy.ts in ${fledgeRoot} yet)\n`)
      continue
    }
    const port = await freePort()
    const child = t.start(ports.a, ports.b, port)
    try {
      rows.push(await measure(t.name, t.label, port, child.pid))
    } catch (err) {
      process.stderr.write(`  ${t.label}: failed: ${String(err)}\n`)
    } finally {
      await stop(child)
    }
  }
} finally {
  for (const c of children) await stop(c)
  rmSync(dir, { recursive: true, force: true })
}

// Report: a markdown table, ratios to nginx measured in this run.
const base = rows.find((r) => r.name === 'nginx')
const direct = rows.find((r) => r.name === 'direct')
const f = (n: number, d = 2): string => (Number.isFinite(n) ? n.toFixed(d) : '–')
const lines = [
  `| target | req/s (c${WRK_CONNECTIONS}) | ÷ nginx | CPU µs/req | proxy cores | 2k/s p50 ms | 2k/s p99 ms | p99 added vs direct | p50 ÷ nginx | p99 ÷ nginx | RSS idle MiB | RSS load MiB | errors |`,
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
]
for (const r of rows) {
  lines.push(
    `| ${r.label} | ${f(r.rps, 0)} | ${base ? f(r.rps / base.rps) : '–'} | ${f(r.cpuUsPerReq, 1)} | ${f(r.cpuCores)} | ${f(r.pacedP50, 3)} | ${f(r.pacedP99, 3)} | ${direct && r !== direct ? '+' + f(r.pacedP99 - direct.pacedP99, 3) : '–'} | ${base ? f(r.pacedP50 / base.pacedP50) : '–'} | ${base ? f(r.pacedP99 / base.pacedP99) : '–'} | ${f(r.rssIdleMiB, 1)} | ${f(r.rssLoadMiB, 1)} | ${r.errors} |`,
  )
}
process.stdout.write(`${lines.join('\n')}\n`)
process.stdout.write(
  `\nwrk -t${WRK_THREADS} -c${WRK_CONNECTIONS} -d${D.saturate}s (after ${D.warmup}s warm-up); paced: ${D.rate} req/s for ${D.paced}s open loop, 32 connections; pinning ${pin ? 'on' : 'off'}; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}); node ${process.version}\n`,
)
