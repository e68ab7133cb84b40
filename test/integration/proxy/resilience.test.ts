import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { startProxy, type RunningProxy } from '../../../src/proxy/proxy.js'
import type { ProxySettings } from '../../../src/proxy/config-schema.js'
import {
  availableEngines,
  parseMetrics,
  request,
  startUpstream,
  sum,
  type Upstream,
} from './helpers.js'

const cleanup: (() => Promise<void>)[] = []
after(async () => {
  for (const c of cleanup.reverse()) await c()
})

async function proxyWith(
  engine: 'node' | 'fast',
  settings: Partial<ProxySettings>,
): Promise<RunningProxy> {
  const p = await startProxy({
    listen: '127.0.0.1:0',
    admin: '127.0.0.1:0',
    settings,
    http1Engine: engine,
  })
  cleanup.push(() => p.close())
  return p
}

async function upstream(
  name: string,
  handler?: Parameters<typeof startUpstream>[1],
): Promise<Upstream> {
  const u = await startUpstream(name, handler)
  cleanup.push(() => u.close())
  return u
}

async function metrics(p: RunningProxy) {
  return parseMetrics(
    await (await fetch(`http://127.0.0.1:${p.adminAddress?.port}/metrics`)).text(),
  )
}

for (const engine of await availableEngines())
  describe(`proxy resilience (${engine} HTTP/1.1)`, () => {
    it('answers 504 when the upstream is slower than the request timeout', async () => {
      const slow = await upstream('slow', (_req, res) => {
        setTimeout(() => res.end('late'), 1500)
      })
      const p = await proxyWith(engine, { requestTimeoutMs: 200 })
      p.setEndpoints('slow', { endpoints: [{ ip: '127.0.0.1', port: slow.port }] })
      const started = Date.now()
      const r = await request(p.address.port, { host: 'slow' })
      assert.equal(r.status, 504)
      assert.equal(r.headers['l5d-proxy-error'], 'timeout')
      assert.ok(Date.now() - started < 1200)
      const m = await metrics(p)
      assert.equal(
        sum(m, 'response_total', {
          direction: 'outbound',
          authority: 'slow',
          classification: 'failure',
          error: 'timeout',
        }),
        1,
      )
    })

    it('drains requests in flight on close, refusing new connections', async () => {
      const slow = await upstream('slow-drain', (req, res) => {
        req.resume()
        setTimeout(() => res.end('done'), 400)
      })
      const p = await startProxy({ listen: '127.0.0.1:0', admin: false, http1Engine: engine })
      p.setEndpoints('slow', { endpoints: [{ ip: '127.0.0.1', port: slow.port }] })
      const inFlight = request(p.address.port, { host: 'slow' })
      await new Promise((r) => setTimeout(r, 100))
      const closing = p.close({ drainMs: 3000 })
      await new Promise((r) => setTimeout(r, 50))
      await assert.rejects(request(p.address.port, { host: 'slow' }), /ECONNREFUSED/)
      const r = await inFlight
      assert.equal(r.status, 200)
      assert.equal(r.body, 'done')
      await closing
    })

    it('fails fast with 503 when a service has no endpoint', async () => {
      const p = await proxyWith(engine, {})
      p.setEndpoints('empty', { endpoints: [] })
      const r = await request(p.address.port, { host: 'empty' })
      assert.equal(r.status, 503)
      assert.match(r.body, /no endpoint of service "empty"/)
    })

    it('retries a refused connection on another endpoint', async () => {
      const live = await upstream('live')
      const p = await proxyWith(engine, {})
      p.setEndpoints('svc', {
        endpoints: [
          { ip: '127.0.0.1', port: 1 },
          { ip: '127.0.0.1', port: live.port },
        ],
      })
      for (let i = 0; i < 20; i++) {
        const r = await request(p.address.port, {
          host: 'svc',
          method: i % 2 === 0 ? 'GET' : 'DELETE',
        })
        assert.equal(r.status, 200)
      }
      const m = await metrics(p)
      assert.ok(sum(m, 'proxy_retry_total', { authority: 'svc', outcome: 'retried' }) >= 1)
    })

    if (engine === 'node') {
      it('retries a refused connection with a small buffered body, whatever the method', async () => {
        const live = await upstream('echo-body', (req, res) => {
          const chunks: Buffer[] = []
          req.on('data', (c: Buffer) => chunks.push(c))
          req.on('end', () => res.end(Buffer.concat(chunks)))
        })
        const p = await proxyWith(engine, {})
        p.setEndpoints('svc', {
          endpoints: [
            { ip: '127.0.0.1', port: 1 },
            { ip: '127.0.0.1', port: live.port },
          ],
        })
        for (let i = 0; i < 10; i++) {
          const r = await request(p.address.port, {
            host: 'svc',
            method: 'POST',
            body: `body-${i}`,
          })
          assert.equal(r.status, 200)
          assert.equal(r.body, `body-${i}`)
        }
      })
    }

    it('opens the circuit breaker after consecutive failures, probes once, and closes it', async () => {
      let healthy = false
      let delay = 0
      const flaky = await upstream('flaky', (_req, res) => {
        setTimeout(() => {
          res.statusCode = healthy ? 200 : 500
          res.end(healthy ? 'ok' : 'boom')
        }, delay)
      })
      const p = await proxyWith(engine, {
        breakerFailures: 3,
        breakerMinPenaltyMs: 300,
        breakerMaxPenaltyMs: 5000,
        breakerJitter: 0,
        retryOn: [],
      })
      p.setEndpoints('flaky', { endpoints: [{ ip: '127.0.0.1', port: flaky.port }] })
      const port = p.address.port
      for (let i = 0; i < 3; i++) assert.equal((await request(port, { host: 'flaky' })).status, 500)
      // Open: fail fast without touching the upstream.
      const r = await request(port, { host: 'flaky' })
      assert.equal(r.status, 503)
      assert.equal(flaky.count, 3)
      // After the penalty, one probe; it fails, so the breaker opens again (for twice as long).
      await new Promise((res) => setTimeout(res, 350))
      assert.equal((await request(port, { host: 'flaky' })).status, 500)
      assert.equal((await request(port, { host: 'flaky' })).status, 503)
      assert.equal(flaky.count, 4)
      await new Promise((res) => setTimeout(res, 400))
      assert.equal((await request(port, { host: 'flaky' })).status, 503, 'second penalty is 600ms')
      await new Promise((res) => setTimeout(res, 300))
      // Exactly one probe at a time: a slow probe and a concurrent request that fails fast.
      healthy = true
      delay = 200
      const [probe, other] = await Promise.all([
        request(port, { host: 'flaky' }),
        new Promise((res) => setTimeout(res, 50)).then(() => request(port, { host: 'flaky' })),
      ])
      assert.equal(probe.status, 200)
      assert.equal(other.status, 503)
      // The probe succeeded: closed again.
      delay = 0
      for (let i = 0; i < 5; i++) assert.equal((await request(port, { host: 'flaky' })).status, 200)
      assert.equal(flaky.count, 10)
    })

    it('fails over from a tripped backend only when skipUnavailableBackends is set', async () => {
      const good = await upstream('good')
      const bad = await upstream('bad', (req, res) => {
        req.resume()
        res.statusCode = 500
        res.end()
      })
      for (const skip of [false, true]) {
        const p = await proxyWith(engine, {
          breakerFailures: 2,
          breakerMinPenaltyMs: 60_000,
          skipUnavailableBackends: skip,
        })
        p.setEndpoints('good', { endpoints: [{ ip: '127.0.0.1', port: good.port }] })
        p.setEndpoints('bad', { endpoints: [{ ip: '127.0.0.1', port: bad.port }] })
        p.setSplit({
          name: 's',
          service: 'app',
          backends: [
            { service: 'good', weight: '500m' },
            { service: 'bad', weight: '500m' },
          ],
        })
        const statuses: number[] = []
        for (let i = 0; i < 60; i++)
          statuses.push((await request(p.address.port, { host: 'app' })).status)
        const late = statuses.slice(30)
        if (skip)
          assert.ok(
            late.every((s) => s === 200),
            `failover: ${late.join(',')}`,
          )
        else {
          assert.ok(late.includes(503), 'the tripped backend fails fast')
          assert.ok(late.includes(200))
        }
      }
    })

    it('retries 5xx only within the retry budget', async () => {
      const failing = await upstream('failing', (req, res) => {
        req.resume()
        res.statusCode = 503
        res.end('no')
      })
      const p = await proxyWith(engine, {
        retryOn: ['5xx'],
        retryLimit: 1,
        budgetRatio: 0.2,
        budgetMinPerSecond: 0,
        budgetTtlMs: 10_000,
        breakerEnabled: false,
      })
      p.setEndpoints('failing', { endpoints: [{ ip: '127.0.0.1', port: failing.port }] })
      const n = 100
      for (let i = 0; i < n; i++)
        assert.equal((await request(p.address.port, { host: 'failing' })).status, 503)
      const retries = failing.count - n
      assert.ok(retries <= n * 0.2 + 1, `retries ${retries} exceed 20% of ${n}`)
      assert.ok(retries >= n * 0.2 - 2, `retries ${retries}: the budget was not used`)
      const m = await metrics(p)
      assert.ok(
        sum(m, 'proxy_retry_total', { authority: 'failing', outcome: 'no_budget' }) >=
          n - retries - 1,
      )
      // Non-idempotent requests are never retried on 5xx.
      const before = failing.count
      await request(p.address.port, { host: 'failing', method: 'POST', body: 'x' })
      assert.equal(failing.count - before, 1)
    })
  })
