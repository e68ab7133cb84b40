import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parseGoDuration } from '../../../examples/booksapp/local/services/duration.js'
import { parseTrafficArgs } from '../../../examples/booksapp/local/services/traffic.js'
import type { TrafficSnapshot } from '../../../examples/booksapp/local/services/traffic-stats.js'
import {
  call,
  eventually,
  freePorts,
  startServer,
  startService,
  type ServiceProcess,
} from './processes.js'

const stats = async (traffic: ServiceProcess): Promise<TrafficSnapshot> => {
  const res = await call('GET', `${traffic.url}/stats`)
  assert.equal(res.status, 200)
  return JSON.parse(res.body) as TrafficSnapshot
}

const sum = (byStatus: Readonly<Record<string, number>>): number =>
  Object.values(byStatus).reduce((a, b) => a + b, 0)

describe('traffic generator arguments', () => {
  it('takes booksapp flags in Go style, env when a flag is absent, and defaults', () => {
    assert.deepEqual(parseTrafficArgs(['webapp:7000'], {}), {
      target: 'webapp:7000',
      sleepMs: 100,
      initialDelayMs: 0,
      maxAttempts: 10,
      errorPauseMs: 1000,
    })
    const o = parseTrafficArgs(['-sleep=20ms', '--initial-delay', '1m30s', 'webapp:7000'], {})
    assert.deepEqual([o.sleepMs, o.initialDelayMs], [20, 90_000])
    const env = { TRAFFIC_SLEEP: '1s', TRAFFIC_TARGET: 'http://w:1/', TRAFFIC_MAX_ATTEMPTS: '3' }
    assert.deepEqual(
      [
        parseTrafficArgs([], env).target,
        parseTrafficArgs([], env).sleepMs,
        parseTrafficArgs([], env).maxAttempts,
      ],
      ['w:1', 1000, 3],
    )
    assert.equal(parseTrafficArgs(['-sleep=5ms', 'x:1'], env).sleepMs, 5)
    assert.equal(parseTrafficArgs(['-error-pause=250ms', 'x:1'], {}).errorPauseMs, 250)
    assert.equal(parseTrafficArgs(['x:1'], { TRAFFIC_ERROR_PAUSE: '2s' }).errorPauseMs, 2000)
    assert.throws(() => parseTrafficArgs([], {}), /usage/)
    assert.throws(() => parseTrafficArgs(['-fast', 'x:1'], {}), /unknown flag -fast/)
    assert.throws(() => parseTrafficArgs(['-sleep=soon', 'x:1'], {}), /invalid duration/)
  })

  it('parses Go durations', () => {
    assert.equal(parseGoDuration('100ms'), 100)
    assert.equal(parseGoDuration('1h2m3s'), 3_723_000)
    assert.equal(parseGoDuration('1.5s'), 1500)
    assert.equal(parseGoDuration('0'), 0)
    assert.throws(() => parseGoDuration('10'), /invalid duration/)
  })
})

describe('traffic generator against a running booksapp', () => {
  let authors: ServiceProcess
  let books: ServiceProcess
  let webapp: ServiceProcess
  let traffic: ServiceProcess
  before(async () => {
    const [ap, bp] = (await freePorts(2)) as [number, number]
    ;[authors, books] = await Promise.all([
      startService('authors', { env: { PORT: String(ap), BOOKS_SITE: `http://127.0.0.1:${bp}` } }),
      startService('books', { env: { PORT: String(bp), AUTHORS_SITE: `http://127.0.0.1:${ap}` } }),
    ])
    webapp = await startService('webapp', {
      env: { AUTHORS_SITE: authors.url, BOOKS_SITE: books.url },
    })
    traffic = await startService('traffic', { args: ['-sleep=5ms', `127.0.0.1:${webapp.port}`] })
  })
  after(async () => {
    await Promise.all([traffic?.stop(), webapp?.stop(), authors?.stop(), books?.stop()])
  })

  it('loops reset → author → two books → edit → deletes, with no failures', async () => {
    const s = await eventually('three loops', 15_000, async () => {
      const snap = await stats(traffic)
      return snap.iterations >= 3 ? snap : undefined
    })
    assert.equal(s.failed, 0, JSON.stringify(s))
    assert.equal(s.transportErrors, 0)
    assert.equal(s.abandoned, 0)
    assert.equal(s.total, sum(s.byStatus))
    assert.ok((s.byStatus['204'] ?? 0) >= 1, 'GET /reset answered 204 at start')
    // Per loop: GET /, /authors/:id, /books/:id twice = 4 pages; 5 form posts answered 303.
    assert.ok((s.byStatus['200'] ?? 0) >= 4 * s.iterations, JSON.stringify(s))
    assert.ok((s.byStatus['303'] ?? 0) >= 5 * s.iterations, JSON.stringify(s))
    assert.ok(!Number.isNaN(Date.parse(s.since)))
    assert.match(traffic.output(), /\t303\tPOST\thttp:\/\/127\.0\.0\.1:\d+\/books\n/)
  })

  it('cleans up after itself: authors and books do not pile up', async () => {
    const cline = JSON.parse(
      (await call('GET', `${authors.url}/authors.json?last_name=Cline`)).body,
    ) as unknown[]
    assert.ok(cline.length <= 1, `${cline.length} Ernest Clines`)
    const all = JSON.parse((await call('GET', `${books.url}/books.json`)).body) as unknown[]
    assert.ok(all.length <= 15 + 2, `${all.length} books`)
  })

  it('POST /stats/reset starts the counters again', async () => {
    const before = await stats(traffic)
    assert.equal((await call('POST', `${traffic.url}/stats/reset`)).status, 200)
    const after = await stats(traffic)
    assert.ok(after.total < before.total)
    assert.ok(Date.parse(after.since) >= Date.parse(before.since))
    assert.equal((await call('GET', `${traffic.url}/ping`)).body, 'pong')
  })

  it('survives a webapp that is down: counts transport errors, recovers when it comes up', async () => {
    // Last in this suite: it stops the first generator, which would fight this one over Ernest Cline.
    await traffic.stop()
    const [wp] = (await freePorts(1)) as [number]
    const second = await startService('traffic', {
      args: ['-sleep=5ms', '-error-pause=100ms', `127.0.0.1:${wp}`],
    })
    let late: ServiceProcess | undefined
    try {
      const down = await eventually('transport errors', 10_000, async () => {
        const snap = await stats(second)
        return snap.transportErrors >= 2 ? snap : undefined
      })
      assert.equal(down.failed, down.transportErrors)
      assert.equal(second.child.exitCode, null)
      assert.match(second.output(), /ERR\tGET\thttp:\/\/127\.0\.0\.1:\d+\/reset\t.*ECONNREFUSED/)

      late = await startService('webapp', {
        env: { PORT: String(wp), AUTHORS_SITE: authors.url, BOOKS_SITE: books.url },
      })
      const up = await eventually('a loop after recovery', 15_000, async () => {
        const snap = await stats(second)
        return snap.iterations >= 1 ? snap : undefined
      })
      assert.equal(up.failed, up.transportErrors, JSON.stringify(up))
      assert.ok((up.byStatus['204'] ?? 0) >= 1)
    } finally {
      await Promise.all([second.stop(), late?.stop()])
    }
  })
})

describe('traffic generator when things go wrong', () => {
  it('retries a step at most 10 times, abandons the loop and starts over with a reset', async () => {
    const seen: string[] = []
    const stub = await startServer((method, url, headers) => {
      seen.push(`${method} ${url} ${headers.host ?? ''}`)
      if (url === '/reset') return { status: 204 }
      if (method === 'POST' && url === '/authors')
        return { status: 303, headers: { location: 'http://webapp:7000/authors/8' } }
      if (method === 'POST') return { status: 500, body: 'broken' }
      return { status: 200, body: 'ok' }
    })
    const traffic = await startService('traffic', {
      args: ['-sleep=1ms', `127.0.0.1:${stub.port}`],
    })
    try {
      // The loop is abandoned once the second reset arrives.
      const secondReset = await eventually('a reset after the first loop', 15_000, () => {
        const i = seen.findIndex((l, n) => n > 0 && l.startsWith('GET /reset'))
        return Promise.resolve(i > 0 ? i : undefined)
      })
      const s = await stats(traffic)
      assert.ok(s.abandoned >= 1, JSON.stringify(s))
      const firstLoop = seen.slice(0, secondReset)
      assert.deepEqual(firstLoop.slice(0, 4), [
        `GET /reset 127.0.0.1:${stub.port}`,
        `GET / 127.0.0.1:${stub.port}`,
        `POST /authors 127.0.0.1:${stub.port}`,
        `GET /authors/8 127.0.0.1:${stub.port}`,
      ])
      assert.deepEqual(
        firstLoop.slice(4),
        Array<string>(10).fill(`POST /books 127.0.0.1:${stub.port}`),
      )
      assert.ok(s.failed >= 10 && (s.byStatus['500'] ?? 0) >= 10, JSON.stringify(s))
      assert.equal(traffic.child.exitCode, null)
    } finally {
      await traffic.stop()
      await stub.close()
    }
  })
})
