import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AlertProvider } from '../../../src/api/alert-provider.js'
import { createAlertSink } from '../../../src/notify/alert-sink.js'
import { silentLogger } from '../../../src/observability/logger.js'
import { newTestCanary } from '../../fixtures/canary.js'

describe('alert sink', () => {
  let server: Server
  let base = ''
  const received: { path: string; body: Record<string, unknown> }[] = []
  before(async () => {
    server = createServer((req, res) => {
      let data = ''
      req.on('data', (c: Buffer) => (data += c.toString()))
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(data) as Record<string, unknown> })
        res.writeHead(req.url === '/broken' ? 500 : 200).end()
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

  const provider = (
    name: string,
    type: AlertProvider['spec']['type'],
    path: string,
  ): AlertProvider => ({
    apiVersion: 'fledge.dev/v1beta1',
    kind: 'AlertProvider',
    metadata: { name, namespace: 'test' },
    spec: { type, address: `${base}${path}`, channel: '#deploys' },
  })

  it('delivers by severity, in each provider format', async () => {
    const providers = [
      provider('slack', 'slack', '/slack'),
      provider('teams', 'msteams', '/teams'),
      provider('hook', 'webhook', '/hook'),
    ]
    const sink = createAlertSink({
      providers: (_ns, n) => providers.find((p) => p.metadata.name === n),
      log: silentLogger,
    })
    const canary = newTestCanary({
      alerts: [
        { name: 'all', severity: 'info', providerRef: { name: 'slack' } },
        { name: 'errors', severity: 'error', providerRef: { name: 'teams' } },
        { name: 'generic', providerRef: { name: 'hook' } },
      ],
    })
    await sink.send(
      canary,
      { severity: 'info', reason: 'Promoted', message: 'done' },
      AbortSignal.timeout(5_000),
    )
    assert.deepEqual(
      received.map((r) => r.path),
      ['/slack', '/hook'],
    )
    assert.equal(received[0]?.body['text'], 'podinfo.test: done')
    assert.equal(received[0]?.body['channel'], '#deploys')
    assert.deepEqual(received[1]?.body, {
      name: 'podinfo',
      namespace: 'test',
      severity: 'info',
      reason: 'Promoted',
      message: 'done',
    })
    received.length = 0
    await sink.send(
      canary,
      { severity: 'error', reason: 'MetricThreshold', message: 'rolled back' },
      AbortSignal.timeout(5_000),
    )
    assert.deepEqual(
      received.map((r) => r.path),
      ['/slack', '/teams', '/hook'],
    )
    assert.equal(received.find((r) => r.path === '/teams')?.body['@type'], 'MessageCard')
  })

  it('says which alert could not be delivered, after trying the others', async () => {
    received.length = 0
    const providers = [provider('broken', 'webhook', '/broken'), provider('ok', 'discord', '/ok')]
    const sink = createAlertSink({
      providers: (_ns, n) => providers.find((p) => p.metadata.name === n),
      log: silentLogger,
    })
    const canary = newTestCanary({
      alerts: [
        { name: 'a', providerRef: { name: 'broken' } },
        { name: 'b', providerRef: { name: 'missing' } },
        { name: 'c', providerRef: { name: 'ok' } },
      ],
    })
    await assert.rejects(
      sink.send(
        canary,
        { severity: 'warn', reason: 'X', message: 'y' },
        AbortSignal.timeout(5_000),
      ),
      /a: webhook answered 500; b: AlertProvider test\/missing not found/,
    )
    assert.deepEqual(
      received.map((r) => r.path),
      ['/broken', '/ok'],
    )
    assert.equal(received[1]?.body['content'], 'podinfo.test: y')
  })
})
