import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import type { UpstreamError } from '../../../../src/proxy/http1/errors.js'
import {
  UpstreamPool,
  type UpstreamConn,
  type UpstreamUser,
} from '../../../../src/proxy/http1/pool.js'
import { Ticker } from '../../../../src/proxy/http1/ticker.js'

/** Records what a connection reports; resolves `connected` on connect. */
function user(): UpstreamUser & { errors: UpstreamError[]; connected: Promise<void> } {
  let resolve: () => void = () => undefined
  const connected = new Promise<void>((r) => (resolve = r))
  const errors: UpstreamError[] = []
  return {
    errors,
    connected,
    onUpstreamConnect: () => {
      resolve()
    },
    onUpstreamData: () => undefined,
    onUpstreamDrain: () => undefined,
    onUpstreamEnd: () => undefined,
    onUpstreamError: (_c: UpstreamConn, err: UpstreamError) => {
      errors.push(err)
      resolve()
    },
  }
}

describe('upstream pool', () => {
  let server: Server
  let port = 0
  const accepted: Socket[] = []

  before(async () => {
    server = createServer((s) => {
      accepted.push(s)
      s.on('error', () => undefined)
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    port = (server.address() as AddressInfo).port
  })
  after(() => {
    for (const s of accepted) s.destroy()
    server.close()
  })

  it('reuses a released connection for the same endpoint, most recent first', async () => {
    const pool = new UpstreamPool({}, new Ticker())
    const ep = { host: '127.0.0.1', port }
    const u1 = user()
    const a = pool.acquire(ep, u1)
    await u1.connected
    const u2 = user()
    const b = pool.acquire({ host: '127.0.0.1', port }, u2) // an equal endpoint, another object
    await u2.connected
    assert.notEqual(a, b)
    a.release()
    b.release()
    assert.deepEqual(pool.stats().get(`127.0.0.1:${port}`), { open: 2, idle: 2 })
    const c = pool.acquire(ep, user())
    assert.equal(c, b, 'LIFO: the last released comes back first')
    assert.equal(c.connecting, false)
    assert.equal(c.served, 1)
    pool.close()
    c.destroy()
    assert.deepEqual(pool.stats().get(`127.0.0.1:${port}`), { open: 0, idle: 0 })
  })

  it('keeps at most maxIdlePerEndpoint idle connections', async () => {
    const pool = new UpstreamPool({ maxIdlePerEndpoint: 1 }, new Ticker())
    const ep = { host: '127.0.0.1', port }
    const users = [user(), user(), user()]
    const conns = users.map((u) => pool.acquire(ep, u))
    await Promise.all(users.map((u) => u.connected))
    for (const c of conns) c.release()
    assert.deepEqual(pool.stats().get(`127.0.0.1:${port}`), { open: 1, idle: 1 })
    pool.close()
  })

  it('closes idle connections after the idle timeout', async () => {
    const ticker = new Ticker()
    const pool = new UpstreamPool({ idleTimeoutMs: 20 }, ticker)
    const u = user()
    const conn = pool.acquire({ host: '127.0.0.1', port }, u)
    await u.connected
    conn.release()
    ticker.sweep()
    assert.equal(pool.stats().get(`127.0.0.1:${port}`)?.idle, 1)
    await new Promise((r) => setTimeout(r, 40))
    ticker.sweep()
    assert.deepEqual(pool.stats().get(`127.0.0.1:${port}`), { open: 0, idle: 0 })
    ticker.stop()
  })

  it('forgets an idle connection the upstream closed', async () => {
    const pool = new UpstreamPool({}, new Ticker())
    const u = user()
    const conn = pool.acquire({ host: '127.0.0.1', port }, u)
    await u.connected
    conn.release()
    for (const s of accepted) s.destroy()
    await new Promise((r) => setTimeout(r, 50))
    assert.deepEqual(pool.stats().get(`127.0.0.1:${port}`), { open: 0, idle: 0 })
  })

  it('reports a refused connect as connect-refused', async () => {
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const deadPort = (closed.address() as AddressInfo).port
    await new Promise<void>((r) =>
      closed.close(() => {
        r()
      }),
    )
    const pool = new UpstreamPool({}, new Ticker())
    const u = user()
    pool.acquire({ host: '127.0.0.1', port: deadPort }, u)
    await u.connected
    assert.equal(u.errors[0]?.kind, 'connect-refused')
    assert.equal(pool.stats().get(`127.0.0.1:${deadPort}`)?.open, 0)
  })

  it('reports a connect slower than the connect timeout as connect-timeout', async () => {
    const ticker = new Ticker()
    const pool = new UpstreamPool({ connectTimeoutMs: 0 }, ticker)
    const u = user()
    pool.acquire({ host: '127.0.0.1', port }, u)
    // The connect cannot have finished yet: it completes on a later turn of the event loop.
    ticker.sweep()
    await u.connected
    assert.equal(u.errors[0]?.kind, 'connect-timeout')
    ticker.stop()
  })
})
