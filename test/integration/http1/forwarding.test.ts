import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Agent, request } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import { rawExchange, startProxy, startUpstream, statuses } from './helpers.js'

type Up = Awaited<ReturnType<typeof startUpstream>>
type Proxy = Awaited<ReturnType<typeof startProxy>>

/** GET through the proxy with node:http; resolves status, headers and body. */
function get(
  port: number,
  path: string,
  opts: { agent?: Agent; method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        agent: opts.agent ?? false,
        headers: { host: 'books', ...opts.headers },
      },
      (res) => {
        let body = ''
        res.setEncoding('latin1')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body })
        })
      },
    )
    req.on('error', reject)
    req.end()
  })
}

describe('http1 listener: forwarding', () => {
  let up: Up
  let proxy: Proxy
  const seen: IncomingHttpHeaders[] = []

  before(async () => {
    up = await startUpstream((req, res) => {
      seen.push(req.headers)
      if (req.url === '/no-content') {
        res.writeHead(204).end()
        return
      }
      if (req.url === '/hop') {
        res.writeHead(200, {
          connection: 'keep-alive, x-private',
          'x-private': 'secret',
          'keep-alive': 'timeout=5',
        })
        res.end('hop')
        return
      }
      res.setHeader('x-upstream', 'yes')
      res.end(`${req.method} ${req.url} ${req.httpVersion}`)
    })
    proxy = await startProxy((req) => {
      if (req.authority !== 'books' && req.authority !== 'books:7000') {
        return { status: 404, body: `unknown authority ${req.authority}\n` }
      }
      return {
        endpoint: up.endpoint,
        onOutcome: (o) => {
          proxy.outcomes.push(o)
          return undefined
        },
      }
    })
  })
  after(async () => {
    await proxy.listener.close()
    await up.close()
  })

  it('forwards a request and reports its outcome', async () => {
    const before = proxy.outcomes.length
    const res = await get(proxy.port, '/a?b=1')
    assert.equal(res.status, 200)
    assert.equal(res.body, 'GET /a?b=1 1.1')
    assert.equal(res.headers['x-upstream'], 'yes')
    const o = proxy.outcomes[before]!
    assert.equal(o.status, 200)
    assert.equal(o.error, null)
    assert.equal(o.attempt, 0)
    assert.ok(o.responseBytes > 14)
    assert.ok(o.totalMs >= o.headMs && o.headMs >= 0)
    assert.equal(o.request.path, '/a?b=1')
  })

  it('reuses one upstream connection across kept-alive requests', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const connsBefore = up.connections()
    for (let i = 0; i < 50; i++) {
      const res = await get(proxy.port, `/k${i}`, { agent })
      assert.equal(res.body, `GET /k${i} 1.1`)
    }
    agent.destroy()
    assert.ok(up.connections() - connsBefore <= 1, 'one upstream connection at most')
    assert.equal(proxy.listener.connections <= 1, true)
  })

  it('answers pipelined requests in order on one connection', async () => {
    const req = (p: string) => `GET ${p} HTTP/1.1\r\nHost: books\r\n\r\n`
    const { text } = await rawExchange(
      proxy.port,
      req('/1') +
        req('/2') +
        req('/3') +
        'GET /4 HTTP/1.1\r\nHost: books\r\nConnection: close\r\n\r\n',
    )
    assert.deepEqual(statuses(text), [200, 200, 200, 200])
    const order = [...text.matchAll(/GET (\/\d) 1\.1/g)].map((m) => m[1])
    assert.deepEqual(order, ['/1', '/2', '/3', '/4'])
    assert.match(text, /connection: close\r\n/)
  })

  it('appends x-forwarded-for and strips hop-by-hop headers both ways', async () => {
    seen.length = 0
    const res = await get(proxy.port, '/hop', {
      headers: {
        'x-forwarded-for': '203.0.113.9',
        connection: 'keep-alive, x-drop',
        'x-drop': '1',
        'keep-alive': 'timeout=1',
        te: 'trailers',
        'proxy-connection': 'keep-alive',
      },
    })
    const h = seen[0]!
    assert.equal(h['x-forwarded-for'], '203.0.113.9, 127.0.0.1')
    assert.equal(h['x-drop'], undefined)
    assert.equal(h['keep-alive'], undefined)
    assert.equal(h['te'], undefined)
    assert.equal(h['proxy-connection'], undefined)
    assert.equal(res.body, 'hop')
    assert.equal(res.headers['x-private'], undefined)
    assert.equal(res.headers['keep-alive'], undefined)
  })

  it('routes an absolute-form request by its URI authority', async () => {
    seen.length = 0
    const { text } = await rawExchange(
      proxy.port,
      'GET http://books:7000/abs?x HTTP/1.1\r\nHost: elsewhere\r\nConnection: close\r\n\r\n',
    )
    assert.deepEqual(statuses(text), [200])
    assert.match(text, /GET \/abs\?x 1\.1/)
    assert.equal(seen[0]!.host, 'books:7000')
  })

  it('answers an unknown authority with the route error, and keeps the connection', async () => {
    const { text } = await rawExchange(
      proxy.port,
      'GET / HTTP/1.1\r\nHost: nope\r\n\r\nGET /after HTTP/1.1\r\nHost: books\r\nConnection: close\r\n\r\n',
    )
    assert.deepEqual(statuses(text), [404, 200])
    assert.match(text, /unknown authority nope/)
  })

  it('handles HEAD, 204 and HTTP/1.0 without bodies where none belong', async () => {
    const { text } = await rawExchange(
      proxy.port,
      'HEAD /h HTTP/1.1\r\nHost: books\r\n\r\nGET /no-content HTTP/1.1\r\nHost: books\r\n\r\n' +
        'GET /last HTTP/1.1\r\nHost: books\r\nConnection: close\r\n\r\n',
    )
    assert.deepEqual(statuses(text), [200, 204, 200])
    assert.match(text, /GET \/last 1\.1$/)
    const old = await rawExchange(proxy.port, 'GET /old HTTP/1.0\r\nHost: books\r\n\r\n')
    assert.equal(old.closed, true)
    assert.match(old.text, /^HTTP\/1\.[01] 200/)
    assert.match(old.text, /GET \/old 1\.0$/)
  })

  it('passes 100-continue through before the body', async () => {
    const { text } = await rawExchange(
      proxy.port,
      [
        'POST /c HTTP/1.1\r\nHost: books\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
        'hello',
      ],
      2000,
      100,
    )
    assert.deepEqual(statuses(text), [100, 200])
  })
})
