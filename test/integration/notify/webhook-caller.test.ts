import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createWebhookCaller } from '../../../src/notify/webhook-caller.js'

const payload = {
  name: 'podinfo',
  namespace: 'test',
  phase: 'Progressing',
  checksum: 'abc',
  metadata: { cmd: 'x' },
}

describe('webhook caller over real HTTP', () => {
  let server: Server
  let base = ''
  const seen: { path: string; body: unknown; type: string | undefined }[] = []
  const attempts = new Map<string, number>()

  before(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let data = ''
      req.on('data', (c: Buffer) => (data += c.toString()))
      req.on('end', () => {
        const path = req.url ?? '/'
        seen.push({ path, body: JSON.parse(data) as unknown, type: req.headers['content-type'] })
        const n = (attempts.get(path) ?? 0) + 1
        attempts.set(path, n)
        const status = Number(path.split('/')[1])
        if (path.startsWith('/slow')) return void setTimeout(() => res.end('late'), 2_000)
        if (path.startsWith('/flaky'))
          return void res.writeHead(n < 3 ? 503 : 200).end(n < 3 ? 'not yet' : 'ok')
        res.writeHead(status).end(status >= 300 ? 'gate closed' : '')
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(
    () =>
      new Promise<void>((r) =>
        server.close(() => {
          r()
        }),
      ),
  )

  const caller = createWebhookCaller({ backoffMs: 5 })
  const call = (path: string, timeoutMs = 1_000, retries = 0) =>
    caller.call(
      { name: path, url: `${base}/${path}`, timeoutMs, retries, type: 'rollout' },
      payload,
      AbortSignal.timeout(10_000),
    )

  it('POSTs Flagger payload as JSON; any 2xx is success', async () => {
    for (const status of [200, 201, 202, 204, 299]) {
      const r = await call(String(status))
      assert.equal(r.ok, true, `status ${status}`)
      assert.equal(r.status, status)
    }
    assert.deepEqual(seen[0]?.body, payload)
    assert.equal(seen[0]?.type, 'application/json')
  })

  it('fails on anything else, with the response body in the message', async () => {
    const r = await call('403')
    assert.equal(r.ok, false)
    assert.equal(r.message, 'status 403: gate closed')
    assert.equal((await call('500')).ok, false)
    assert.equal((await call('301')).ok, false)
  })

  it('a timeout or an unreachable URL is a failed result, never a throw', async () => {
    const slow = await call('slow', 100)
    assert.equal(slow.ok, false)
    assert.match(slow.message, /timed out after 100ms|aborted/i)
    const down = await caller.call(
      { name: 'down', url: 'http://127.0.0.1:1/', timeoutMs: 500, retries: 0, type: 'event' },
      payload,
      AbortSignal.timeout(5_000),
    )
    assert.equal(down.ok, false)
    assert.match(down.message, /ECONNREFUSED|connect/i)
  })

  it('retries up to `retries` more times', async () => {
    const r = await call('flaky', 1_000, 3)
    assert.equal(r.ok, true)
    assert.equal(attempts.get('/flaky'), 3)
  })
})
