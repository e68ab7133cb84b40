import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { portFromEnv, startRole } from '../../../examples/booksapp/local/services/roles.js'
import { call, startServer } from './processes.js'

describe('booksapp roles in process', () => {
  it('start on PORT, answer /ping with their version and replica, and close cleanly', async () => {
    for (const role of ['authors', 'books', 'webapp', 'traffic'] as const) {
      const lines: string[] = []
      const started = await startRole(
        role,
        role === 'traffic' ? ['-initial-delay=1h', 'webapp:7000'] : [],
        { PORT: '0', APP_VERSION: 'v3', FLEDGE_REPLICA: `${role}-0` },
        (l) => lines.push(l),
      )
      try {
        const res = await call('GET', `http://127.0.0.1:${started.port}/ping`)
        assert.equal(res.status, 200)
        assert.equal(res.body, 'pong')
        assert.equal(res.headers['x-app-version'], 'v3')
        assert.equal(res.headers['x-replica'], `${role}-0`)
        assert.match(
          lines[0] ?? '',
          new RegExp(`booksapp ${role} v3 listening on http://127\\.0\\.0\\.1:${started.port}`),
        )
      } finally {
        await started.close()
      }
      await assert.rejects(call('GET', `http://127.0.0.1:${started.port}/ping`))
    }
  })

  it("uses booksapp's ports when PORT is unset, and refuses a bad PORT", () => {
    assert.equal(portFromEnv('webapp', {}), 7000)
    assert.equal(portFromEnv('authors', {}), 7001)
    assert.equal(portFromEnv('books', { PORT: '' }), 7002)
    assert.equal(portFromEnv('books', { PORT: '8123' }), 8123)
    assert.throws(() => portFromEnv('books', { PORT: 'http' }), /PORT must be a port number/)
  })

  it('closes gracefully: a request in flight completes, with Connection: close', async () => {
    const slow = await startServer(() => ({ status: 200, body: '[]' }))
    // Delay every downstream answer so the page is still in flight when close() starts.
    slow.server.removeAllListeners('request')
    slow.server.on('request', (_req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('[]'), 400)
    })
    const started = await startRole(
      'webapp',
      [],
      { PORT: '0', AUTHORS_SITE: slow.url, BOOKS_SITE: slow.url },
      () => undefined,
    )
    try {
      const page = call('GET', `http://127.0.0.1:${started.port}/`)
      await new Promise((r) => setTimeout(r, 150))
      const closed = started.close()
      const res = await page
      assert.equal(res.status, 200)
      assert.equal(res.headers.connection, 'close')
      await closed
      await assert.rejects(call('GET', `http://127.0.0.1:${started.port}/ping`))
    } finally {
      await started.close()
      await slow.close()
    }
  })
})
