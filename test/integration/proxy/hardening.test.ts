import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import http from 'node:http'
import { startProxy, type RunningProxy } from '../../../src/proxy/proxy.js'
import { availableEngines, rawExchange, request, startUpstream, type Upstream } from './helpers.js'

for (const engine of await availableEngines())
  describe(`proxy hardening (${engine} HTTP/1.1)`, () => {
    let echo: Upstream
    let proxy: RunningProxy
    let port: number

    before(async () => {
      // Echoes what it received: method, headers, body; streams the body back as it arrives.
      echo = await startUpstream('echo', (req, res) => {
        if (req.url === '/stream') {
          res.writeHead(200, { 'content-type': 'text/plain' })
          req.pipe(res)
          return
        }
        const chunks: Buffer[] = []
        req.on('data', (c: Buffer) => chunks.push(c))
        req.on('end', () => {
          res.writeHead(200, {
            'content-type': 'application/json',
            connection: 'keep-alive, x-hop',
            'x-hop': 'should not pass',
            'keep-alive': 'timeout=5',
          })
          res.end(
            JSON.stringify({
              method: req.method,
              url: req.url,
              headers: req.headers,
              body: Buffer.concat(chunks).toString(),
            }),
          )
        })
      })
      proxy = await startProxy({
        listen: '127.0.0.1:0',
        admin: false,
        http1Engine: engine,
        settings: {
          headerTimeoutMs: 400,
          idleTimeoutMs: 2500,
          maxHeaders: 20,
          maxHeaderBytes: 4096,
        },
      })
      proxy.setEndpoints('echo', { endpoints: [{ ip: '127.0.0.1', port: echo.port }] })
      port = proxy.address.port
    })
    after(async () => {
      await proxy.close()
      await echo.close()
    })

    async function stillServing(): Promise<void> {
      const r = await request(port, { host: 'echo', path: '/ok' })
      assert.equal(r.status, 200)
    }

    it('strips hop-by-hop headers both ways and appends x-forwarded-for', async () => {
      const r = await request(port, {
        host: 'echo',
        path: '/h',
        headers: {
          connection: 'keep-alive, x-secret',
          'x-secret': 'no',
          'keep-alive': 'timeout=1',
          'x-forwarded-for': '10.0.0.1',
          'x-kept': 'yes',
        },
      })
      assert.equal(r.status, 200)
      const seen = JSON.parse(r.body) as { headers: Record<string, string> }
      assert.equal(seen.headers['x-secret'], undefined)
      assert.equal(seen.headers['x-kept'], 'yes')
      assert.equal(seen.headers['x-forwarded-for'], '10.0.0.1, 127.0.0.1')
      assert.equal(seen.headers['host'], 'echo')
      assert.equal(r.headers['x-hop'], undefined)
    })

    it('keeps a client connection alive and streams bodies both ways', async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
      try {
        const sockets = new Set<net.Socket>()
        for (let i = 0; i < 3; i++) {
          const r = await new Promise<string>((resolve, reject) => {
            const req = http.request(
              {
                host: '127.0.0.1',
                port,
                path: '/stream',
                method: 'POST',
                headers: { host: 'echo' },
                agent,
              },
              (res) => {
                let got = ''
                res.on('data', (c: Buffer) => {
                  got += c.toString()
                  // The first chunk comes back before the request body is complete: true streaming.
                  if (got === 'part1-') req.end('part2')
                })
                res.on('end', () => {
                  resolve(got)
                })
              },
            )
            req.on('socket', (s) => sockets.add(s))
            req.on('error', reject)
            req.flushHeaders()
            req.write('part1-')
          })
          assert.equal(r, 'part1-part2')
        }
        assert.equal(sockets.size, 1)
      } finally {
        agent.destroy()
      }
    })

    const malformed: [string, string, RegExp][] = [
      ['bad request line', 'GARBAGE\r\n\r\n', /^HTTP\/1\.1 400/],
      ['bad HTTP version', 'GET / HTTP/9.9\r\nHost: echo\r\n\r\n', /^HTTP\/1\.1 (400|505)/],
      [
        'Content-Length with Transfer-Encoding',
        'POST / HTTP/1.1\r\nHost: echo\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        /^HTTP\/1\.1 400/,
      ],
      [
        'oversized headers',
        `GET / HTTP/1.1\r\nHost: echo\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`,
        /^HTTP\/1\.1 431/,
      ],
      [
        'too many headers',
        `GET / HTTP/1.1\r\nHost: echo\r\n${Array.from({ length: 30 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n`,
        /^HTTP\/1\.1 431/,
      ],
      [
        'invalid header name',
        'GET / HTTP/1.1\r\nHost: echo\r\nBad Header: x\r\n\r\n',
        /^HTTP\/1\.1 400/,
      ],
      [
        'invalid header value',
        'GET / HTTP/1.1\r\nHost: echo\r\nX-A: a\u0001b\r\n\r\n',
        /^HTTP\/1\.1 400/,
      ],
      ['missing host', 'GET / HTTP/1.1\r\n\r\n', /^HTTP\/1\.1 400/],
      [
        'duplicate content-length',
        'POST / HTTP/1.1\r\nHost: echo\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
        /^HTTP\/1\.1 400/,
      ],
    ]
    for (const [name, bytes, expected] of malformed) {
      it(`rejects ${name} with a 4xx and keeps serving`, async () => {
        const r = await rawExchange(port, bytes)
        assert.match(r.data, expected)
        assert.doesNotMatch(r.data, /at .*\.ts|Error:/)
        await stillServing()
      })
    }

    it('closes a connection whose headers never complete (slow headers) with 408', async () => {
      const s = net.connect(port, '127.0.0.1')
      const started = Date.now()
      let data = ''
      s.on('data', (d: Buffer) => (data += d.toString()))
      s.write('GET / HTTP/1.1\r\nHost: echo\r\n')
      const tick = setInterval(() => s.write('X-Slow: 1\r\n'), 100)
      await new Promise<void>((resolve) =>
        s.on('close', () => {
          resolve()
        }),
      )
      clearInterval(tick)
      assert.ok(
        Date.now() - started < 3000,
        'closed within the header timeout plus a check interval',
      )
      assert.match(data, /^HTTP\/1\.1 408/)
      await stillServing()
    })

    it('answers a client that half-closes after its request', async () => {
      const r = await rawExchange(port, 'GET /half HTTP/1.1\r\nHost: echo\r\n\r\n', 3000, true)
      assert.match(r.data, /^HTTP\/1\.1 200/)
      assert.match(r.data, /"url":"\/half"/)
    })

    it('closes an idle kept-alive connection after the idle timeout', async () => {
      const r = await rawExchange(port, 'GET /ok HTTP/1.1\r\nHost: echo\r\n\r\n', 8000)
      assert.match(r.data, /^HTTP\/1\.1 200/)
      assert.equal(r.closed, true)
    })

    it('refuses connections beyond the limit', async () => {
      const p = await startProxy({
        listen: '127.0.0.1:0',
        admin: false,
        http1Engine: engine,
        settings: { maxConnections: 2 },
      })
      try {
        const held = [
          net.connect(p.address.port, '127.0.0.1'),
          net.connect(p.address.port, '127.0.0.1'),
        ]
        await Promise.all(held.map((s) => new Promise((r) => s.once('connect', r))))
        await new Promise((r) => setTimeout(r, 50))
        const third = await rawExchange(
          p.address.port,
          'GET / HTTP/1.1\r\nHost: echo\r\n\r\n',
          2000,
        )
        assert.equal(third.closed, true)
        assert.equal(third.data, '')
        for (const s of held) s.destroy()
      } finally {
        await p.close()
      }
    })

    it('closes a connection that sends nothing', async () => {
      const r = await rawExchange(port, Buffer.alloc(0), 4000)
      assert.equal(r.closed, true)
    })

    it('never leaks internals in error responses', async () => {
      proxy.setEndpoints('dead', { endpoints: [{ ip: '127.0.0.1', port: 1 }] })
      const r = await request(port, { host: 'dead' })
      assert.equal(r.status, 502)
      assert.doesNotMatch(r.body, /at |ECONNREFUSED|node:/)
      assert.equal(r.headers['l5d-proxy-error'], 'connect')
    })
  })
