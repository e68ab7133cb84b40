/**
 * `npm run bench:proxy`: fledge's proxy against nginx and HAProxy, measured in the same run.
 *
 * Two fast upstreams (single-worker nginx, `return 200`, 100-byte body); every target splits 90/10
 * between them over kept-alive upstream connections: direct (no proxy), nginx, HAProxy, `fledge
 * proxy` with its default HTTP/1.1 engine and with `--http1 node` (node:http + undici), and with
 * --all the http1 engine alone, a raw TCP relay (Node's floor) and a naive node:http + undici proxy.
 *
 * Phase 1, saturation: wrk -t2 -c50 for a fixed time per target; the target is pinned alone on
 * CPU 1 (taskset) while wrk and the upstreams share CPU 0, and its CPU time is read from /proc, so
 * CPU per request (and req/s per core = 1e6 / that) compare per core. Phase 2, fixed rate: an
 * open-loop generator (paced-load.ts) at 2,000 req/s, unpinned, in interleaved rounds (order
 * reversed every other round), medians across rounds. RSS is read from /proc idle and under load.
 *
 * Installs nothing. Flags: --quick, --all, --only a,b, --no-pin, --rounds N, --fledge-root DIR.
 */
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { nginxUpstream } from './configs.js'
import { cpuSeconds, rssKiB } from './procstat.js'
import { TARGETS, type TargetContext } from './targets.js'
import {
  freePort,
  median,
  parseWrk,
  pinTree,
  ready,
  run,
  start,
  stop,
  which,
  type Paced,
} from './tools.js'

const args = process.argv.slice(2)
const flag = (name: string): string | undefined =>
  args.includes(name) ? args[args.indexOf(name) + 1] : undefined
const quick = args.includes('--quick')
const root = resolve(fileURLToPath(import.meta.url), '../../..')
const D = quick
  ? { warmup: 1, saturate: 3, paced: 3, rounds: 1, rate: 2000 }
  : { warmup: 2, saturate: 6, paced: 4, rounds: Number(flag('--rounds') ?? 3), rate: 2000 }
const WRK = ['-t2', '-c50']

const missing = ['nginx', 'haproxy', 'wrk'].filter((b) => !which(b))
if (missing.length > 0) {
  process.stderr.write(
    `bench:proxy needs ${missing.join(', ')} on PATH. On Debian:\n  sudo apt-get install nginx-light haproxy wrk\n`,
  )
  process.exit(2)
}
const pin = which('taskset') && !args.includes('--no-pin') && cpus().length >= 2
const onLoadCpu = (cmd: string[]): string[] => (pin ? ['taskset', '-c', '0', ...cmd] : cmd)
const fledgeRoot = resolve(flag('--fledge-root') ?? root)
const hasFledge = existsSync(join(fledgeRoot, 'src/cli/proxy.ts'))
const only = flag('--only')?.split(',')
const selected = TARGETS.filter((t) => {
  if (only !== undefined) return only.includes(t.name)
  if (t.name.startsWith('fledge') && !hasFledge) return false
  // Without `fledge proxy` in this checkout, the engine alone stands in for it.
  return t.byDefault || args.includes('--all') || (t.name === 'http1' && !hasFledge)
})

interface Running {
  name: string
  label: string
  port: number
  child: ChildProcess | null
  rssIdle: number
  rssLoad: number
  rps: number
  satP99: number
  cpuPerReq: number
  cores: number
  errors: number
  paced: Paced[]
  pacedCpu: number[]
}

const dir = mkdtempSync(join(tmpdir(), 'fledge-bench-'))
const upstreams: ChildProcess[] = []
const running: Running[] = []
const mib = (pid: number | undefined): number => (pid === undefined ? NaN : rssKiB(pid) / 1024)

async function saturate(r: Running): Promise<void> {
  const pid = r.child?.pid
  if (pin) {
    if (pid !== undefined) pinTree(pid, '1')
    for (const u of upstreams) if (u.pid !== undefined) pinTree(u.pid, '0')
  }
  const url = `http://127.0.0.1:${r.port}/`
  const wrk = (s: number): Promise<string> =>
    run(onLoadCpu(['wrk', ...WRK, `-d${s}s`, '--latency', '-H', 'Host: bench', url]), root)
  await wrk(D.warmup)
  const sampler = setInterval(() => {
    r.rssLoad = Math.max(r.rssLoad, mib(pid))
  }, 250)
  const cpu0 = pid === undefined ? 0 : cpuSeconds(pid)
  const t0 = performance.now()
  const res = parseWrk(await wrk(D.saturate))
  const wall = (performance.now() - t0) / 1000
  const cpu1 = pid === undefined ? 0 : cpuSeconds(pid)
  clearInterval(sampler)
  r.rps = res.rps
  r.satP99 = res.p99
  r.errors += res.errors
  r.cpuPerReq = pid === undefined ? NaN : ((cpu1 - cpu0) / (res.rps * wall)) * 1e6
  r.cores = pid === undefined ? NaN : (cpu1 - cpu0) / wall
  if (pin) {
    if (pid !== undefined) pinTree(pid, '0,1')
    for (const u of upstreams) if (u.pid !== undefined) pinTree(u.pid, '0,1')
  }
  process.stderr.write(
    `  saturation ${r.label}: ${r.rps.toFixed(0)} req/s, ${r.cpuPerReq.toFixed(1)} CPU µs/req\n`,
  )
}

async function pace(r: Running): Promise<void> {
  const pid = r.child?.pid
  const cpu0 = pid === undefined ? 0 : cpuSeconds(pid)
  const out = await run(
    [
      process.execPath,
      '--import',
      'tsx',
      'bench/proxy/paced-load.ts',
      String(r.port),
      String(D.rate),
      String(D.paced),
      '32',
      'bench',
      '1',
    ],
    root,
  )
  const p = JSON.parse(out) as Paced
  const cpu1 = pid === undefined ? 0 : cpuSeconds(pid)
  r.paced.push(p)
  r.pacedCpu.push(pid === undefined ? NaN : ((cpu1 - cpu0) / p.completed) * 1e6)
  r.errors += p.errors
  process.stderr.write(
    `  2k/s ${r.label}: p50 ${p.p50.toFixed(3)} ms, p99 ${p.p99.toFixed(3)} ms\n`,
  )
}

try {
  const ctx: TargetContext = {
    dir,
    fledgeRoot,
    upstreamA: await freePort(),
    upstreamB: await freePort(),
  }
  for (const [n, port] of [
    ['upstream-a', ctx.upstreamA],
    ['upstream-b', ctx.upstreamB],
  ] as const) {
    const d = join(dir, n)
    mkdirSync(d)
    writeFileSync(join(d, 'nginx.conf'), nginxUpstream(d, port))
    upstreams.push(
      start(['nginx', '-e', join(d, 'error.log'), '-p', d, '-c', join(d, 'nginx.conf')], n, root),
    )
  }
  await ready(ctx.upstreamA)
  await ready(ctx.upstreamB)
  const blank = {
    rssIdle: NaN,
    rssLoad: NaN,
    rps: NaN,
    satP99: NaN,
    cpuPerReq: NaN,
    cores: NaN,
    errors: 0,
  }
  if (only === undefined || only.includes('direct')) {
    running.push({
      name: 'direct',
      label: 'direct to upstream A (no proxy)',
      port: ctx.upstreamA,
      child: null,
      ...blank,
      paced: [],
      pacedCpu: [],
    })
  }
  for (const t of selected) {
    const port = await freePort()
    const child = start(t.command(ctx, port, await freePort()), t.label, root)
    running.push({ name: t.name, label: t.label, port, child, ...blank, paced: [], pacedCpu: [] })
  }
  for (const r of running) {
    await ready(r.port)
    r.rssIdle = mib(r.child?.pid)
    r.rssLoad = r.rssIdle
  }
  process.stderr.write(
    `bench:proxy ${quick ? '(quick) ' : ''}${running.length} targets; saturation pinned: ${pin ? 'yes' : 'no'}; fledge from ${fledgeRoot}${hasFledge ? '' : ' (no fledge proxy there)'}\n`,
  )
  for (const r of running) await saturate(r)
  for (let round = 0; round < D.rounds; round++) {
    const order = round % 2 === 0 ? running : [...running].reverse()
    for (const r of order) await pace(r)
  }
} finally {
  for (const r of running) if (r.child !== null) await stop(r.child)
  for (const u of upstreams) await stop(u)
  rmSync(dir, { recursive: true, force: true })
}

// Report: markdown, ratios to nginx measured in this run.
const f = (n: number, d = 2): string => (Number.isFinite(n) ? n.toFixed(d) : '–')
const signed = (n: number): string => (n >= 0 ? `+${f(n, 3)}` : f(n, 3))
const m = (r: Running, k: 'p50' | 'p99'): number => median(r.paced.map((p) => p[k]))
const nginx = running.find((r) => r.name === 'nginx')
const direct = running.find((r) => r.name === 'direct')
const perCore = (r: Running): number => 1e6 / r.cpuPerReq
const ratio = (a: number, b: number | undefined): string => (b === undefined ? '–' : f(a / b))
const out = [
  '| target | req/s, wrk c50 | CPU µs/req | req/s per core | per core ÷ nginx | p50 ms at 2k/s | p99 ms at 2k/s | added p50 / p99 ms | p99 ÷ nginx | RSS idle / load MiB | errors |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
]
for (const r of running) {
  const added =
    direct === undefined || r === direct
      ? '–'
      : `${signed(m(r, 'p50') - m(direct, 'p50'))} / ${signed(m(r, 'p99') - m(direct, 'p99'))}`
  out.push(
    `| ${r.label} | ${f(r.rps, 0)} | ${f(r.cpuPerReq, 1)} | ${f(perCore(r), 0)} | ${nginx ? ratio(perCore(r), perCore(nginx)) : '–'} | ${f(m(r, 'p50'), 3)} | ${f(m(r, 'p99'), 3)} | ${added} | ${nginx ? ratio(m(r, 'p99'), m(nginx, 'p99')) : '–'} | ${f(r.rssIdle, 1)} / ${f(r.rssLoad, 1)} | ${r.errors} |`,
  )
}
out.push(
  '',
  '| target | p90 ms at 2k/s (median) | p99 ms at 2k/s per round | achieved req/s per round | CPU µs/req at 2k/s (median) |',
  '|---|---:|---|---|---:|',
)
for (const r of running) {
  out.push(
    `| ${r.label} | ${f(median(r.paced.map((p) => p.p90)), 3)} | ${r.paced.map((p) => f(p.p99, 3)).join(' / ')} | ${r.paced.map((p) => f(p.achieved, 0)).join(' / ')} | ${f(median(r.pacedCpu), 1)} |`,
  )
}
out.push(
  '',
  `wrk ${WRK.join(' ')} -d${D.saturate}s after ${D.warmup}s warm-up, target ${pin ? 'pinned to CPU 1, wrk and upstreams to CPU 0' : 'unpinned'}; ` +
    `paced ${D.rate} req/s open loop, ${D.paced}s (+1s warm-up) x ${D.rounds} rounds, 32 connections, unpinned; ` +
    `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}); node ${process.version}`,
)
process.stdout.write(`${out.join('\n')}\n`)
