import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import type {
  Endpoint,
  ForwardOutcome,
  ForwardTarget,
  RequestHead,
} from '../../../src/proxy/http1/index.js'
import { rawExchange, startProxy, startUpstream, statuses } from './helpers.js'
import { freePort } from '../../../src/util/free-port.js'

type Up = Awaited<ReturnType<typeof startUpstream>>
type Proxy = Awaited<ReturnType<typeof startProxy>>

/** A raw TCP upstream whose behaviour per connection is scripted. */
async function rawUpstream(onData: (socket: Socket, data: Buffer) => void): Promise<{
  server: Server
  endpoint: Endpoint
}> {
  const server = createServer((socket) => {
    socket.on('data', (d: Buffer) => {
      onData(socket, d)
    })
    socket.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, endpoint: { host: '127.0.0.1', port: (server.address() as AddressInfo).port } }
}

const closeReq = (path: string) => `GET ${path} HTTP/1.1\r\nHost: svc\r\nConnection: close\r\n\r\n`

describe('http1 listener: upstream failures', () => {
  let good: Up
  let refused: Endpoint
  let silent: Awaited<ReturnType<typeof rawUpstream>>
  let resetBeforeHead: Awaited<ReturnType<typeof rawUpstream>>
  let resetMidBody: Awaited<ReturnType<typeof rawUpstream>>
  let garbage: Awaited<ReturnType<typeof rawUpstream>>
  let proxy: Proxy

  before(async () => {
    good = await startUpstream((req, res) => res.end(`good ${req.url}`))
    refused = { host: '127.0.0.1', port: await freePort() }
    silent = await rawUpstream(() => undefined)
    resetBeforeHead = await rawUpstream((s) => s.destroy())
    resetMidBody = await rawUpstream((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial')
      setTimeout(() => s.destroy(), 50)
    })
    garbage = await rawUpstream((s) => s.end('SSH-2.0-OpenSSH\r\n\r\n'))
    const byPath: Record<string, Endpoint> = {
      '/refused': refused,
      '/silent': silent.endpoint,
      '/reset': resetBeforeHead.endpoint,
      '/mid': resetMidBody.endpoint,
      '/garbage': garbage.endpoint,
      '/retry': refused,
    }
    const target = (req: RequestHead, endpoint: Endpoint): ForwardTarget => ({
      endpoint,
      timeoutMs: 300,
      onOutcome: (o: ForwardOutcome) => {
        proxy.outcomes.push(o)
        if (req.path === '/retry' && o.retryable && o.attempt < 2) {
          // Second try on the same dead endpoint, third on a good one.
          return target(req, o.attempt === 0 ? refused : good.endpoint)
        }
        if (req.header('x-custom') === '1') {
          return {
            status: 503,
            body: 'no endpoint for svc\n',
            headers: { 'l5d-proxy-error': 'unavailable' },
          }
        }
        return undefined
      },
    })
    proxy = await startProxy((req) => target(req, byPath[req.path] ?? good.endpoint))
  })
  after(async () => {
    await proxy.listener.close()
    await good.close()
    for (const s of [silent, resetBeforeHead, resetMidBody, garbage]) s.server.close()
  })

  const last = (): ForwardOutcome => proxy.outcomes[proxy.outcomes.length - 1]!

  it('connect refused -> 503 and outcome connect-refused', async () => {
    const { text } = await rawExchange(proxy.port, closeReq('/refused'))
    assert.deepEqual(statuses(text), [503])
    assert.equal(last().error, 'connect-refused')
    assert.equal(last().retryable, true)
  })

  it('no response in time -> 504 and outcome timeout', async () => {
    const started = Date.now()
    const { text } = await rawExchange(proxy.port, closeReq('/silent'), 3000)
    assert.deepEqual(statuses(text), [504])
    assert.equal(last().error, 'timeout')
    assert.ok(Date.now() - started < 2000)
  })

  it('reset before the response head -> 502', async () => {
    const { text } = await rawExchange(proxy.port, closeReq('/reset'))
    assert.deepEqual(statuses(text), [502])
    assert.equal(last().error, 'reset')
  })

  it('not HTTP from upstream -> 502 and outcome protocol', async () => {
    const { text } = await rawExchange(proxy.port, closeReq('/garbage'))
    assert.deepEqual(statuses(text), [502])
    assert.equal(last().error, 'protocol')
  })

  it('reset mid-response: the client connection is cut, the response is not completed', async () => {
    const { text, closed } = await rawExchange(proxy.port, closeReq('/mid'))
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*partial$/)
    assert.equal(closed, true)
    assert.equal(last().error, 'reset')
    assert.equal(last().responseStarted, true)
    assert.equal(last().retryable, false)
    // ...and other clients are still served.
    const after = await rawExchange(proxy.port, closeReq('/fine'))
    assert.deepEqual(statuses(after.text), [200])
  })

  it('retries through onOutcome until an attempt succeeds', async () => {
    const before = proxy.outcomes.length
    const { text } = await rawExchange(proxy.port, closeReq('/retry'))
    assert.deepEqual(statuses(text), [200])
    const attempts = proxy.outcomes.slice(before)
    assert.deepEqual(
      attempts.map((o) => [o.attempt, o.error, o.status]),
      [
        [0, 'connect-refused', 0],
        [1, 'connect-refused', 0],
        [2, null, 200],
      ],
    )
  })

  it('lets onOutcome choose the error answer', async () => {
    const { text } = await rawExchange(
      proxy.port,
      'GET /refused HTTP/1.1\r\nHost: svc\r\nX-Custom: 1\r\nConnection: close\r\n\r\n',
    )
    assert.deepEqual(statuses(text), [503])
    assert.match(text, /l5d-proxy-error: unavailable/)
    assert.match(text, /no endpoint for svc/)
  })

  it('does not retry a request with a body, and answers 503 with the connection closed', async () => {
    const { text, closed } = await rawExchange(
      proxy.port,
      'POST /refused HTTP/1.1\r\nHost: svc\r\nContent-Length: 5\r\n\r\nhello',
    )
    assert.deepEqual(statuses(text), [503])
    assert.equal(last().retryable, false)
    assert.equal(closed, false) // the whole body was read: the connection may stay open
  })
})

describe('http1 listener: retry on a response status', () => {
  it('discards a 503 and retries elsewhere when onResponseHead asks', async () => {
    const busy = await startUpstream((_req, res) => {
      res.writeHead(503).end('busy')
    })
    const good = await startUpstream((_req, res) => res.end('served'))
    const outcomes: ForwardOutcome[] = []
    const target = (endpoint: Endpoint): ForwardTarget => ({
      endpoint,
      onResponseHead: (status, attempt) =>
        status === 503 && attempt === 0 ? target(good.endpoint) : undefined,
      onOutcome: (o) => {
        outcomes.push(o)
        return undefined
      },
    })
    const proxy = await startProxy(() => target(busy.endpoint))
    try {
      const { text } = await rawExchange(proxy.port, closeReq('/x'))
      assert.deepEqual(statuses(text), [200])
      assert.match(text, /served$/)
      assert.deepEqual(
        outcomes.map((o) => [o.attempt, o.status, o.discarded, o.responseStarted]),
        [
          [0, 503, true, false],
          [1, 200, false, true],
        ],
      )
      // A request with a body is never replayed: its 503 goes to the client.
      const post = await rawExchange(
        proxy.port,
        'POST /x HTTP/1.1\r\nHost: svc\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi',
      )
      assert.deepEqual(statuses(post.text), [503])
    } finally {
      await proxy.listener.close()
      await busy.close()
      await good.close()
    }
  })
})

describe('http1 listener: a throwing routing callback', () => {
  it('is reported as an internal error and does not break the exchange or the listener', async () => {
    const up = await startUpstream((_req, res) => res.end('ok'))
    const internal: unknown[] = []
    const proxy = await startProxy(
      (req) =>
        req.path === '/route-throws'
          ? (() => {
              throw new Error('bug in route')
            })()
          : {
              endpoint: up.endpoint,
              onOutcome: () => {
                throw new Error('bug in onOutcome')
              },
            },
      { events: { internalError: (e) => internal.push(e) } },
    )
    try {
      const a = await rawExchange(proxy.port, closeReq('/x'))
      assert.deepEqual(statuses(a.text), [200])
      const b = await rawExchange(proxy.port, closeReq('/route-throws'))
      assert.deepEqual(statuses(b.text), [500])
      assert.doesNotMatch(b.text, /bug in route/)
      assert.equal(internal.length, 2)
    } finally {
      await proxy.listener.close()
      await up.close()
    }
  })
})

describe('http1 listener: stale kept-alive upstream connections', () => {
  it('replaces a pooled connection the upstream closed, invisibly', async () => {
    // The upstream closes each connection right after one response, without saying so.
    const up = await rawUpstream((s) => {
      s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
    })
    const proxy = await startProxy(() => ({ endpoint: up.endpoint }))
    try {
      for (let i = 0; i < 5; i++) {
        const { text } = await rawExchange(proxy.port, closeReq(`/${i}`))
        assert.deepEqual(statuses(text), [200], `request ${i}`)
      }
    } finally {
      await proxy.listener.close()
      up.server.close()
    }
  })
})
