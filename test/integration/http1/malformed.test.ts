import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { rawExchange, startProxy, startUpstream, statuses } from './helpers.js'

type Up = Awaited<ReturnType<typeof startUpstream>>
type Proxy = Awaited<ReturnType<typeof startProxy>>

describe('http1 listener: malformed requests', () => {
  let up: Up
  let proxy: Proxy
  let upstreamRequests = 0
  const protocolErrors: number[] = []

  before(async () => {
    up = await startUpstream((req, res) => {
      upstreamRequests++
      req.resume()
      req.on('end', () => res.end('fine'))
    })
    proxy = await startProxy(() => ({ endpoint: up.endpoint }), {
      limits: { maxHeaderBytes: 4096, maxHeaders: 20, maxBodyBytes: 1_000_000 },
      headerTimeoutMs: 300,
      events: { protocolError: (e) => protocolErrors.push(e.status) },
    })
  })
  after(async () => {
    await proxy.listener.close()
    await up.close()
  })

  const cases: [string, string, number][] = [
    ['garbage', 'NOT HTTP AT ALL\r\n\r\n', 400],
    ['bad target', 'GET no-slash HTTP/1.1\r\nHost: a\r\n\r\n', 400],
    ['bad version', 'GET / HTTP/3.0\r\nHost: a\r\n\r\n', 505],
    ['missing Host', 'GET / HTTP/1.1\r\n\r\n', 400],
    ['obs-fold', 'GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n  2\r\n\r\n', 400],
    ['control byte in value', 'GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n', 400],
    ['space before colon', 'GET / HTTP/1.1\r\nHost: a\r\nX : 1\r\n\r\n', 400],
    [
      'smuggling CL.TE',
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG',
      400,
    ],
    [
      'differing Content-Length',
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
      400,
    ],
    ['TE not chunked', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n', 501],
    [
      'chunked not last',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n',
      400,
    ],
    ['CONNECT', 'CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n', 501],
    ['body too large', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2000000\r\n\r\n', 413],
    ['head too large', `GET / HTTP/1.1\r\nHost: a\r\nX: ${'v'.repeat(5000)}\r\n\r\n`, 431],
    ['too many headers', `GET / HTTP/1.1\r\nHost: a\r\n${'X: 1\r\n'.repeat(21)}\r\n`, 431],
    [
      'bad chunk size',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      400,
    ],
  ]

  for (const [name, raw, status] of cases) {
    it(`${name}: answers ${status}, closes, and the proxy keeps serving`, async () => {
      const bad = rawExchange(proxy.port, raw)
      const good = rawExchange(
        proxy.port,
        'GET /ok HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
      )
      const [b, g] = await Promise.all([bad, good])
      assert.equal(statuses(b.text)[0], status, b.text)
      assert.equal(b.closed, true)
      assert.doesNotMatch(b.text, /at .*\.ts:\d+/, 'no stack trace')
      assert.deepEqual(statuses(g.text), [200])
    })
  }

  it('never forwards a smuggled request', async () => {
    const before = upstreamRequests
    await rawExchange(
      proxy.port,
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\nGPOST / HTTP/1.1\r\n\r\n0\r\n\r\n',
    )
    assert.equal(upstreamRequests, before)
  })

  it('reports protocol errors through the events hook', () => {
    assert.ok(protocolErrors.includes(400) && protocolErrors.includes(431))
  })

  it('answers 408 to a client that does not finish its head in time', async () => {
    const started = Date.now()
    const { text, closed } = await rawExchange(proxy.port, 'GET / HTTP/1.1\r\nHost: a\r\n', 3000)
    const took = Date.now() - started
    assert.deepEqual(statuses(text), [408])
    assert.equal(closed, true)
    assert.ok(took >= 250 && took < 2500, `closed after ${took} ms`)
  })

  it('drips a head byte by byte within the timeout and still gets an answer', async () => {
    const head = 'GET /slow HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n'
    const { text } = await rawExchange(
      proxy.port,
      head.slice(0, 4).split('').concat(head.slice(4)),
      2000,
      5,
    )
    assert.deepEqual(statuses(text), [200])
  })

  it('closes a kept-alive connection left idle past the idle timeout', async () => {
    const idle = await startProxy(() => ({ endpoint: up.endpoint }), { idleTimeoutMs: 200 })
    try {
      const started = Date.now()
      const { text, closed } = await rawExchange(
        idle.port,
        'GET /1 HTTP/1.1\r\nHost: a\r\n\r\n',
        3000,
      )
      const took = Date.now() - started
      assert.deepEqual(statuses(text), [200])
      assert.equal(closed, true, 'the proxy closed it')
      assert.ok(took >= 150 && took < 2500, `closed after ${took} ms`)
      // The proxy's own 'close' event may come a moment after the client saw the connection end.
      for (let i = 0; i < 50 && idle.listener.connections > 0; i++) {
        await new Promise((r) => setTimeout(r, 10))
      }
      assert.equal(idle.listener.connections, 0)
    } finally {
      await idle.listener.close()
    }
  })

  it('closes a connection that sends nothing', async () => {
    const started = Date.now()
    const { text } = await rawExchange(proxy.port, Buffer.alloc(0), 3000)
    const took = Date.now() - started
    assert.equal(text, '')
    assert.ok(took < 2500, `closed after ${took} ms`)
  })
})
