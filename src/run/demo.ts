import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseDocument } from 'yaml'
import { request } from 'undici'
import { scrape } from '../cli/stat.js'
import { computeStats, formatStatTable, type Sample } from '../proxy/stat.js'
import type { Logger } from '../observability/logger.js'
import { setImage } from '../platform/local/edit.js'
import { formatDuration } from '../util/duration.js'
import { ErrorCodes, FledgeError } from '../util/errors.js'
import { startLocal, type LocalHandle } from './local.js'

export const SCENARIOS = ['promote', 'rollback', 'fault-injection'] as const
export type Scenario = (typeof SCENARIOS)[number]

export interface DemoResult {
  readonly scenario: Scenario
  readonly outcome: 'promoted' | 'rolled-back' | 'fault-detected' | 'unexpected'
  readonly ok: boolean
  readonly phase: string
  readonly durationMs: number
  /** Canary weights seen, in milli-units, in order. */
  readonly weights: number[]
  /** Counted by the traffic generator from the moment the scenario starts. */
  readonly requests: { readonly total: number; readonly failed: number }
  /** rollback: from the broken version's first request to its weight back at 0. */
  readonly detectedAfterMs?: number
  /** fault-injection: books' success rate with the error split, and after it is removed. */
  readonly successRate?: { readonly withFault: number; readonly afterRemoval: number }
  readonly message: string
}

export interface DemoOptions {
  readonly scenario: Scenario
  /** The Canary's analysis interval. */
  readonly intervalMs: number
  readonly log: Logger
  /** Progress lines for a person watching. */
  readonly say: (line: string) => void
  /** Give up after this long. */
  readonly timeoutMs?: number
}

const EXAMPLE = resolve(dirname(fileURLToPath(import.meta.url)), '../../examples/booksapp/local')
const CANARY = 'default/books'
const IDLE = new Set(['Initialized', 'Succeeded', 'Failed'])

/**
 * Copies the booksapp example to a temporary directory, runs it in local mode, drives one
 * scenario, and reports what happened. Everything listens on free loopback ports, so a demo runs
 * beside a `fledge run` and beside other demos.
 */
export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const dir = await mkdtemp(join(tmpdir(), 'fledge-demo-'))
  let handle: LocalHandle | undefined
  try {
    await cp(EXAMPLE, dir, { recursive: true, filter: (src) => !src.includes('/.fledge') })
    await tuneForDemo(dir, opts.intervalMs)
    opts.say(
      `booksapp copied to ${dir}; starting it (analysis interval ${formatDuration(opts.intervalMs)})`,
    )
    handle = await startLocal({
      dir,
      listen: '127.0.0.1:0',
      proxy: '127.0.0.1:0',
      admin: '127.0.0.1:0',
      log: opts.log,
      pointer: false,
      pollMs: 100,
    })
    const h = handle
    const deadline = Date.now() + (opts.timeoutMs ?? 180_000)
    await until(
      'booksapp ready and the books Canary initialized',
      deadline,
      async () => (await trafficOk(h)) && h.platform.store.status(CANARY)?.phase === 'Initialized',
    )
    opts.say(`booksapp is up; proxy ${h.proxy}, API ${h.api}`)
    await resetTraffic(h)
    const started = Date.now()
    const run = { promote: promote, rollback: rollback, 'fault-injection': faultInjection }[
      opts.scenario
    ]
    const partial = await run(h, dir, opts, deadline)
    const requests = await trafficCounts(h)
    return { scenario: opts.scenario, durationMs: Date.now() - started, requests, ...partial }
  } finally {
    await handle?.close()
    await rm(dir, { recursive: true, force: true })
  }
}

type Partial = Omit<DemoResult, 'scenario' | 'durationMs' | 'requests'>

async function promote(
  h: LocalHandle,
  dir: string,
  opts: DemoOptions,
  deadline: number,
): Promise<Partial> {
  opts.say('bumping books to booksapp:v2 (a good build)')
  await bump(h, dir, 'booksapp:v2')
  const weights = await followRollout(h, opts, deadline)
  const phase = h.platform.store.status(CANARY)?.phase ?? '-'
  const versions = await servedVersions(h, 20)
  const ok = phase === 'Succeeded' && versions.every((v) => v === 'v2')
  const message = ok
    ? 'books v2 promoted: it serves 100% of books traffic'
    : `expected Succeeded with v2 serving everything; phase ${phase}, served ${[...new Set(versions)].join(',')}`
  return { outcome: ok ? 'promoted' : 'unexpected', ok, phase, weights, message }
}

async function rollback(
  h: LocalHandle,
  dir: string,
  opts: DemoOptions,
  deadline: number,
): Promise<Partial> {
  opts.say('bumping books to booksapp:v2-broken (30% of its answers are 500s)')
  await bump(h, dir, 'booksapp:v2-broken')
  let firstCanaryRequest: number | undefined
  let backAtZero: number | undefined
  const watcher = setInterval(() => {
    void canaryRequests(h).then((n) => {
      if (n > 0) firstCanaryRequest ??= Date.now()
    })
  }, 50)
  let weights: number[]
  try {
    weights = await followRollout(h, opts, deadline, (s) => {
      if (s.phase === 'Failed' && (s.canaryWeight ?? 0) === 0) backAtZero ??= Date.now()
    })
  } finally {
    clearInterval(watcher)
  }
  const phase = h.platform.store.status(CANARY)?.phase ?? '-'
  const versions = await servedVersions(h, 20)
  const ok = phase === 'Failed' && versions.every((v) => v === 'v1')
  const detectedAfterMs =
    firstCanaryRequest !== undefined && backAtZero !== undefined
      ? backAtZero - firstCanaryRequest
      : undefined
  const message = ok
    ? `books v2-broken rolled back${detectedAfterMs === undefined ? '' : ` ${detectedAfterMs}ms after its first request`}; v1 serves everything`
    : `expected Failed with v1 serving everything; phase ${phase}, served ${[...new Set(versions)].join(',')}`
  return {
    outcome: ok ? 'rolled-back' : 'unexpected',
    ok,
    phase,
    weights,
    message,
    ...(detectedAfterMs === undefined ? {} : { detectedAfterMs }),
  }
}

async function faultInjection(
  h: LocalHandle,
  dir: string,
  opts: DemoOptions,
  deadline: number,
): Promise<Partial> {
  const window = Math.max(4_000, 2 * opts.intervalMs)
  const split = join(dir, 'error-split.yaml')
  opts.say('applying scenarios/error-split.yaml: 100m of books traffic to the error-injector')
  await writeFile(split, await readFile(join(dir, 'scenarios', 'error-split.yaml'), 'utf8'))
  await h.platform.reload()
  await until('the error-injector to serve', deadline, () =>
    Promise.resolve(h.platform.runner.endpoints('default/error-injector').length > 0),
  )
  const withFault = await booksSuccess(h, window, opts)
  opts.say('removing the split')
  await unlink(split)
  await h.platform.reload()
  const afterRemoval = await booksSuccess(h, window, opts)
  const phase = h.platform.store.status(CANARY)?.phase ?? '-'
  const ok = withFault >= 80 && withFault <= 97 && afterRemoval >= 99.5
  const message = `books success rate ${withFault.toFixed(2)}% with the error split (expected about 90%), ${afterRemoval.toFixed(2)}% after removing it`
  return {
    outcome: ok ? 'fault-detected' : 'unexpected',
    ok,
    phase,
    weights: [],
    message,
    successRate: { withFault, afterRemoval },
  }
}

/** Follows the books Canary until it is idle again; returns the distinct weights seen (milli). */
async function followRollout(
  h: LocalHandle,
  opts: DemoOptions,
  deadline: number,
  onStatus: (s: { phase?: string; canaryWeight?: number }) => void = () => undefined,
): Promise<number[]> {
  const weights: number[] = []
  let last = ''
  let left = false
  for (;;) {
    const s = h.platform.store.status(CANARY) ?? {}
    onStatus(s)
    const idle = IDLE.has(s.phase ?? '')
    left ||= !idle
    const milli = Math.round((s.canaryWeight ?? 0) * 10)
    if (left && weights.at(-1) !== milli) weights.push(milli)
    const line = `${s.phase ?? '-'} weight ${s.canaryWeight ?? 0}% failedChecks ${s.failedChecks ?? 0} ${s.message ?? ''}`
    if (line !== last) opts.say(`  ${line}`)
    last = line
    if (left && idle && s.pendingScaleDown !== true) return weights
    if (Date.now() > deadline)
      throw new FledgeError(
        ErrorCodes.ABORTED,
        `the rollout did not end in time (phase ${s.phase ?? '-'})`,
      )
    await new Promise((r) => setTimeout(r, 50))
  }
}

async function bump(h: LocalHandle, dir: string, image: string): Promise<void> {
  await setImage(
    join(dir, 'booksapp.yaml'),
    { name: 'books', namespace: 'default' },
    'service',
    image,
  )
  await h.platform.reload()
}

/** Books' success rate through the proxy over a window, in percent, printed as `fledge stat` would. */
async function booksSuccess(h: LocalHandle, windowMs: number, opts: DemoOptions): Promise<number> {
  const before = await scrape(h.admin)
  const t0 = Date.now()
  await new Promise((r) => setTimeout(r, windowMs))
  const after = await scrape(h.admin)
  const rows = computeStats(before, after, (Date.now() - t0) / 1000).filter(
    (r) => r.service === 'books',
  )
  opts.say(formatStatTable(rows))
  return (rows.find((r) => r.backend === '(all)')?.success ?? 0) * 100
}

async function canaryRequests(h: LocalHandle): Promise<number> {
  const samples: Sample[] = await scrape(h.admin)
  return samples
    .filter((s) => s.name === 'response_total' && s.labels['dst_service'] === 'books-canary')
    .reduce((a, s) => a + s.value, 0)
}

/** Asks books directly through the proxy which version answers. */
async function servedVersions(h: LocalHandle, n: number): Promise<string[]> {
  const out: string[] = []
  for (let i = 0; i < n; i++) {
    const res = await request(`http://${h.proxy}/ping`, { headers: { host: 'books:7002' } })
    await res.body.dump()
    out.push(String(res.headers['x-app-version'] ?? `status ${res.statusCode}`))
  }
  return out
}

function trafficPort(h: LocalHandle): number | undefined {
  return h.platform.runner.replicas('default/traffic').find((r) => r.ready)?.port
}

async function trafficOk(h: LocalHandle): Promise<boolean> {
  const port = trafficPort(h)
  if (port === undefined) return false
  const stats = await trafficStats(port)
  return stats !== undefined && stats.total > 20
}

async function resetTraffic(h: LocalHandle): Promise<void> {
  const port = trafficPort(h)
  if (port !== undefined)
    await (await request(`http://127.0.0.1:${port}/stats/reset`, { method: 'POST' })).body.dump()
}

async function trafficCounts(h: LocalHandle): Promise<{ total: number; failed: number }> {
  const port = trafficPort(h)
  const s = port === undefined ? undefined : await trafficStats(port)
  return { total: s?.total ?? 0, failed: s?.failed ?? 0 }
}

async function trafficStats(port: number): Promise<{ total: number; failed: number } | undefined> {
  try {
    const res = await request(`http://127.0.0.1:${port}/stats`)
    return (await res.body.json()) as { total: number; failed: number }
  } catch {
    return undefined
  }
}

async function until(what: string, deadline: number, cond: () => Promise<boolean>): Promise<void> {
  while (!(await cond())) {
    if (Date.now() > deadline)
      throw new FledgeError(ErrorCodes.ABORTED, `timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** A faster demo: the Canary's interval as asked, analysis windows to match, busier traffic. */
export async function tuneForDemo(
  dir: string,
  intervalMs: number,
  windowMs = Math.max(5_000, 5 * intervalMs),
): Promise<void> {
  const canaryFile = join(dir, 'books-canary.yaml')
  const canary = parseDocument(await readFile(canaryFile, 'utf8'))
  canary.setIn(['spec', 'analysis', 'interval'], formatDuration(intervalMs))
  const metrics = canary.getIn(['spec', 'analysis', 'metrics']) as { items: unknown[] } | undefined
  for (let i = 0; i < (metrics?.items.length ?? 0); i++) {
    canary.setIn(['spec', 'analysis', 'metrics', i, 'interval'], formatDuration(windowMs))
  }
  await writeFile(canaryFile, canary.toString())
  const appsFile = join(dir, 'booksapp.yaml')
  const apps = await readFile(appsFile, 'utf8')
  await writeFile(
    appsFile,
    apps.replace(/args: \[traffic, webapp:7000\]/, "args: [traffic, -sleep, '10ms', webapp:7000]"),
  )
}
