import { after, before, beforeEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { setTimeout as sleep } from 'node:timers/promises'
import { ApiClient } from '../../../src/cli/client.js'
import { main } from '../../../src/cli/main.js'
import { fetchCanary } from '../../../src/cli/status.js'
import { followCanary } from '../../../src/cli/status-watch.js'
import {
  FakeBackend,
  TOKEN,
  captureConsole,
  forwarding,
  startApi,
  type Running,
} from './fake-backend.js'

const KEY = 'default/books'
const now = (): string => new Date().toISOString()

describe('fledge status against the API', () => {
  let backend = new FakeBackend()
  let api: Running
  before(async () => {
    // Each test gets a fresh backend behind the same server.
    api = await startApi(forwarding(() => backend))
  })
  after(async () => {
    await api.close()
  })
  beforeEach(() => {
    backend = new FakeBackend()
  })

  const run = async (...args: string[]) => runWith(captureConsole(), ...args)
  const runWith = async (io: ReturnType<typeof captureConsole>, ...args: string[]) => {
    const code = await main([...args, '--api', api.url, '--token', TOKEN], io)
    return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n'), io }
  }

  it('lists every Canary on one line each', async () => {
    backend.update(KEY, { phase: 'Progressing', canaryWeight: 20, failedChecks: 1 })
    backend.update('shop/cart', { phase: 'Succeeded', lastTransitionTime: now() })
    const r = await run('status')
    assert.equal(r.code, 0, r.err)
    const lines = r.out.split('\n')
    assert.match(lines[0] ?? '', /^CANARY\s+STATUS\s+WEIGHT\s+STEP\s+FAILEDCHECKS\s+MESSAGE$/)
    assert.match(lines[1] ?? '', /^default\/books\s+◌ Progressing\s+\[██░{8}\] 20%\s+2\/5\s+1\/2/)
    assert.match(lines[2] ?? '', /^shop\/cart\s+✔ Succeeded\s+\[░{10}\] 0%\s+0\/5\s+0\/2/)
    const shop = await run('status', '-n', 'shop')
    assert.deepEqual(
      shop.out
        .split('\n')
        .slice(1)
        .map((l) => l.split(' ')[0]),
      ['shop/cart'],
    )
  })

  it('shows one Canary in detail: bar with step marks, step, checks, measurements, events', async () => {
    const at = new Date(Date.now() - 12_000).toISOString()
    backend.update(KEY, {
      phase: 'Progressing',
      canaryWeight: 30,
      failedChecks: 1,
      stepStartedAt: at,
      message: 'analysing',
      measurements: [
        { metric: 'request-success-rate', outcome: 'Successful', value: 99.5, at, weight: 200 },
        { metric: 'request-success-rate', outcome: 'Failed', value: 91.25, at, weight: 300 },
        { metric: 'request-duration', outcome: 'Successful', value: 120, at, weight: 300 },
      ],
    })
    backend.event(KEY, 'Advanced', 'weight 30%')
    const r = await run('status', 'books')
    assert.equal(r.code, 0, r.err)
    assert.match(r.out, /^Status: +◌ Progressing$/m)
    assert.match(r.out, /^Message: +analysing$/m)
    assert.match(r.out, /^Weight: +\[█{9}░{21}\] 30%$/m)
    assert.match(r.out, /^ {16}( {2}╵){5}$/m)
    assert.match(r.out, /^Step: +3\/5 +\(10% 20% 30% 40% 50%\)$/m)
    assert.match(r.out, /^Failed checks: 1\/2$/m)
    assert.match(r.out, /^Interval: +1[2-9]s \/ 30s in this step$/m)
    assert.match(r.out, /request-success-rate\s+91\.25\s+Failed\s+30%/)
    assert.doesNotMatch(r.out, /99\.5/)
    assert.match(r.out, /request-duration\s+120\s+Successful\s+30%/)
    assert.match(r.out, /Normal\s+Advanced\s+weight 30%/)
  })

  it('prints the view as JSON or YAML with -o', async () => {
    backend.update(KEY, { phase: 'Succeeded' })
    const json = await run('status', 'books', '-o', 'json')
    const view = JSON.parse(json.out) as { key: string; phase: string; done: boolean }
    assert.deepEqual([view.key, view.phase, view.done], [KEY, 'Succeeded', true])
    const yaml = await run('status', 'books', '-o', 'yaml')
    assert.match(yaml.out, /^phase: Succeeded$/m)
    const bad = await run('status', 'books', '-o', 'xml')
    assert.equal(bad.code, 2)
    assert.match(bad.err, /-o must be one of json, yaml/)
  })

  it('says so when the Canary does not exist', async () => {
    const r = await run('status', 'nope', '-n', 'shop')
    assert.equal(r.code, 1)
    assert.equal(r.err, 'fledge status: canary shop/nope not found')
  })

  /** Runs `status books --watch -o json` while `script` drives the backend; returns the views seen. */
  const watch = async (script: () => Promise<void>, ...extra: string[]) => {
    const io = captureConsole()
    const running = runWith(
      io,
      'status',
      'books',
      '--watch',
      '-o',
      'json',
      '--timeout',
      '20s',
      ...extra,
    )
    await backend.watched()
    await printed(io)
    await script()
    const r = await running
    const views = r.out
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { phase: string; weight: number; pending: boolean })
    return { ...r, views }
  }
  /** Waits (bounded) until the watch has printed its first view, so no step races it. */
  const printed = async (io: ReturnType<typeof captureConsole>) => {
    for (let i = 0; i < 500 && io.stdout.length === 0; i++) await sleep(20)
    assert.ok(io.stdout.length > 0, 'the watch printed its first view')
  }
  const step = async (status: Parameters<FakeBackend['update']>[1]) => {
    await sleep(30)
    backend.update(KEY, { lastAppliedSpec: 'v2', ...status })
  }

  it('follows a rollout to Succeeded and exits 0', async () => {
    backend.revisions.set(KEY, 'v2')
    backend.update(KEY, { phase: 'Progressing', canaryWeight: 10, lastAppliedSpec: 'v2' })
    const r = await watch(async () => {
      await step({ phase: 'Progressing', canaryWeight: 20 })
      backend.event(KEY, 'Synced', 'an event alone prints no JSON line')
      await step({ phase: 'Promoting', canaryWeight: 20 })
      await step({ phase: 'Succeeded', canaryWeight: 0, lastPromotedSpec: 'v2' })
    })
    assert.equal(r.code, 0, r.err)
    assert.deepEqual(
      r.views.map((v) => `${v.phase}@${v.weight}`),
      ['Progressing@10', 'Progressing@20', 'Promoting@20', 'Succeeded@0'],
    )
    // The server learns of the closed stream a moment later.
    for (let i = 0; i < 100 && backend.watchers > 0; i++) await sleep(20)
    assert.equal(backend.watchers, 0, 'the stream is closed on exit')
  })

  it('exits 1 when the rollout fails', async () => {
    backend.revisions.set(KEY, 'v2')
    backend.update(KEY, { phase: 'Progressing', canaryWeight: 10, lastAppliedSpec: 'v2' })
    const r = await watch(async () => {
      await step({ phase: 'Progressing', canaryWeight: 20, failedChecks: 2 })
      await step({ phase: 'Failed', canaryWeight: 0, failedChecks: 2 })
    })
    assert.equal(r.code, 1, r.err)
    assert.equal(r.views.at(-1)?.phase, 'Failed')
  })

  it('with a rollout pending at start, waits for the new rollout instead of the old result', async () => {
    // The previous rollout Failed; the target already has a new revision (fledge set image).
    backend.revisions.set(KEY, 'v3')
    backend.update(KEY, { phase: 'Failed', lastAppliedSpec: 'v2', lastPromotedSpec: 'v1' })
    const r = await watch(async () => {
      await sleep(200) // long enough for a wrong early exit to happen
      await step({ phase: 'Progressing', canaryWeight: 10, lastAppliedSpec: 'v3' })
      await step({ phase: 'Succeeded', lastAppliedSpec: 'v3', lastPromotedSpec: 'v3' })
    })
    assert.equal(r.code, 0, r.err)
    assert.deepEqual(
      r.views.map((v) => `${v.phase}${v.pending ? ' (pending)' : ''}`),
      ['Failed (pending)', 'Progressing', 'Succeeded'],
    )
  })

  it('exits at once when the Canary is already idle: 0 when promoted, 1 when failed', async () => {
    backend.update(KEY, { phase: 'Succeeded', lastAppliedSpec: 'v1', lastPromotedSpec: 'v1' })
    const ok = await run('status', 'books', '--watch')
    assert.equal(ok.code, 0, ok.err)
    assert.match(ok.out, /✔ Succeeded/)
    backend.update(KEY, { phase: 'Failed' })
    const failed = await run('status', 'books', '-w')
    assert.equal(failed.code, 1)
  })

  it('falls back to polling when the stream drops, and still sees the end', async () => {
    backend.revisions.set(KEY, 'v2')
    backend.update(KEY, { phase: 'Progressing', canaryWeight: 10, lastAppliedSpec: 'v2' })
    const r = await watch(async () => {
      api.dropConnections()
      await sleep(50)
      // Not pushed: only a poll can see it.
      backend.update(
        KEY,
        { phase: 'Succeeded', lastAppliedSpec: 'v2', lastPromotedSpec: 'v2' },
        false,
      )
    })
    assert.equal(r.code, 0, r.err)
    assert.match(r.err, /polling/)
    assert.equal(r.views.at(-1)?.phase, 'Succeeded')
  })

  it('appends one plain detailed view per change when not on a terminal', async () => {
    backend.revisions.set(KEY, 'v2')
    backend.update(KEY, { phase: 'Progressing', canaryWeight: 10, lastAppliedSpec: 'v2' })
    const io = captureConsole()
    const running = runWith(io, 'status', 'books', '--watch', '--timeout', '20s')
    await backend.watched()
    await printed(io)
    await step({ phase: 'Progressing', canaryWeight: 20 })
    await step({ phase: 'Succeeded', lastPromotedSpec: 'v2' })
    const r = await running
    assert.equal(r.code, 0, r.err)
    assert.equal(r.out.match(/^Name: +books$/gm)?.length, 3)
    assert.ok(!r.out.includes('\u001b'), 'no ANSI codes off a terminal')
  })

  it('without a name, --watch redraws the list on each change until --timeout', async () => {
    backend.update(KEY, { phase: 'Progressing', canaryWeight: 10 })
    const io = captureConsole()
    const running = runWith(io, 'status', '--watch', '--timeout', '3s')
    await backend.watched()
    await printed(io)
    await step({ phase: 'Progressing', canaryWeight: 20 })
    const r = await running
    assert.equal(r.code, 0, r.err)
    assert.equal(r.io.stdout.length, 2)
    assert.match(r.io.stdout[0] ?? '', /default\/books .* 10%/)
    assert.match(r.io.stdout[1] ?? '', /default\/books .* 20%/)
  })

  it('gives up with exit 1 after --timeout', async () => {
    backend.revisions.set(KEY, 'v2')
    backend.update(KEY, { phase: 'Progressing', canaryWeight: 10, lastAppliedSpec: 'v2' })
    const r = await run('status', 'books', '--watch', '--timeout', '300ms')
    assert.equal(r.code, 1)
    assert.match(r.err, /timed out after 300ms/)
  })
})

describe('followCanary with a stream that misses a change', () => {
  it('still sees the end through its periodic resync', async () => {
    const backend = new FakeBackend()
    const api = await startApi(backend)
    const client = new ApiClient({ api: api.url, source: 'flag' })
    try {
      backend.revisions.set(KEY, 'v2')
      backend.update(KEY, { phase: 'Progressing', canaryWeight: 10, lastAppliedSpec: 'v2' })
      const phases: string[] = []
      let drawn: () => void = () => undefined
      const firstDraw = new Promise<void>((resolve) => (drawn = resolve))
      const following = followCanary(client, KEY, {
        resyncMs: 100,
        timeoutMs: 20_000,
        fetch: () => fetchCanary(client, KEY),
        draw: (view, _events, changed) => {
          if (changed) phases.push(view.phase)
          drawn()
        },
        note: () => undefined,
      })
      await backend.watched()
      await firstDraw
      // Never pushed over the stream, which stays up.
      backend.update(
        KEY,
        { phase: 'Succeeded', lastAppliedSpec: 'v2', lastPromotedSpec: 'v2' },
        false,
      )
      assert.equal(await following, 0)
      assert.deepEqual(phases, ['Progressing', 'Succeeded'])
    } finally {
      await client.close()
      await api.close()
    }
  })
})
