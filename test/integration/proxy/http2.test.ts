import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import http2 from 'node:http2'
import type { AddressInfo } from 'node:net'
import { startProxy, type RunningProxy } from '../../../src/proxy/proxy.js'
import { parseMetrics, sum } from './helpers.js'
import type { TapEvent } from '../../../src/proxy/tap.js'

/** A gRPC-style server: echoes each DATA frame back upper-cased as it arrives, then trailers. */
function grpcLikeServer(): http2.Http2Server {
  const server = http2.createServer()
  server.on('stream', (stream, headers) => {
    const path = headers[':path']
    if (path === '/fail') {
      // Trailers-only response, as gRPC servers answer errors.
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': '14',
          'grpc-message': 'down',
        },
        { endStream: true },
      )
      return
    }
    stream.respond(
      { ':status': 200, 'content-type': 'application/grpc', 'x-server': 'h2' },
      { waitForTrailers: true },
    )
    stream.on('wantTrailers', () => {
      stream.sendTrailers({
        'grpc-status': path === '/internal' ? '13' : '0',
        'grpc-message': 'done',
      })
    })
    stream.on('data', (chunk: Buffer) => stream.write(chunk.toString().toUpperCase()))
    stream.on('end', () => stream.end())
  })
  return server
}

describe('proxy HTTP/2 (h2c, gRPC-style)', () => {
  let upstream: http2.Http2Server
  let proxy: RunningProxy
  let client: http2.ClientHttp2Session

  before(async () => {
    upstream = grpcLikeServer()
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
    proxy = await startProxy({ listen: '127.0.0.1:0', admin: '127.0.0.1:0' })
    proxy.setEndpoints('greeter', {
      endpoints: [{ ip: '127.0.0.1', port: (upstream.address() as AddressInfo).port }],
    })
    client = http2.connect(`http://127.0.0.1:${proxy.address.port}`)
  })
  after(async () => {
    client.close()
    await proxy.close()
    await new Promise<void>((resolve) =>
      upstream.close(() => {
        resolve()
      }),
    )
  })

  function call(path: string, messages: string[], authority = 'greeter:50051') {
    return new Promise<{
      headers: http2.IncomingHttpHeaders
      trailers: http2.IncomingHttpHeaders
      data: string[]
    }>((resolve, reject) => {
      const req = client.request({
        ':method': 'POST',
        ':path': path,
        ':authority': authority,
        'content-type': 'application/grpc',
        te: 'trailers',
      })
      const data: string[] = []
      let headers: http2.IncomingHttpHeaders = {}
      let trailers: http2.IncomingHttpHeaders = {}
      let i = 0
      const sendNext = (): void => {
        const m = messages[i++]
        if (m === undefined) req.end()
        else req.write(m)
      }
      req.on('response', (h) => {
        headers = h
      })
      // Ping-pong: the next message goes only after the previous echo came back.
      req.on('data', (c: Buffer) => {
        data.push(c.toString())
        sendNext()
      })
      req.on('trailers', (t: http2.IncomingHttpHeaders) => {
        trailers = t
      })
      req.on('end', () => {
        resolve({ headers, trailers, data })
      })
      req.on('error', reject)
      sendNext()
    })
  }

  it('streams both ways and passes trailers through', async () => {
    const r = await call('/echo', ['one', 'two', 'three'])
    assert.equal(r.headers[':status'], 200)
    assert.equal(r.headers['x-server'], 'h2')
    assert.deepEqual(r.data, ['ONE', 'TWO', 'THREE'])
    assert.equal(r.trailers['grpc-status'], '0')
    assert.equal(r.trailers['grpc-message'], 'done')
  })

  it('passes a trailers-only error response and classifies gRPC failures', async () => {
    const r = await call('/fail', [])
    assert.equal(r.headers['grpc-status'], '14')
    const i = await call('/internal', ['x'])
    assert.equal(i.trailers['grpc-status'], '13')
    const text = await (await fetch(`http://127.0.0.1:${proxy.adminAddress?.port}/metrics`)).text()
    const m = parseMetrics(text)
    const base = { direction: 'outbound', authority: 'greeter', dst_service: 'greeter' }
    assert.equal(
      sum(m, 'response_total', { ...base, classification: 'failure', grpc_status: '14' }),
      1,
    )
    assert.equal(
      sum(m, 'response_total', { ...base, classification: 'failure', grpc_status: '13' }),
      1,
    )
    assert.ok(
      sum(m, 'response_total', { ...base, classification: 'success', grpc_status: '0' }) >= 1,
    )
  })

  it('answers an unknown :authority with 400 over HTTP/2', async () => {
    const r = await call('/echo', [], 'nosuch')
    assert.equal(r.headers[':status'], 400)
    assert.equal(r.headers['l5d-proxy-error'], 'unknown service')
  })

  it('answers 502 without hanging when the endpoint refuses connections', async () => {
    proxy.setEndpoints('dead', { endpoints: [{ ip: '127.0.0.1', port: 1 }] })
    const r = await call('/echo', ['x'], 'dead')
    assert.equal(r.headers[':status'], 502)
    assert.equal(r.headers['l5d-proxy-error'], 'connect')
  })

  it('publishes HTTP/2 requests on the tap stream', async () => {
    const events: TapEvent[] = []
    const stop = proxy.core.tap.subscribe({ service: 'greeter' }, (e) => events.push(e))
    await call('/internal', ['x'])
    stop()
    assert.equal(events.length, 1)
    const [e] = events
    assert.ok(e !== undefined)
    assert.equal(e.protocol, 'h2')
    assert.equal(e.grpcStatus, 13)
    assert.equal(e.classification, 'failure')
  })

  it('runs many concurrent streams on one connection', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, k) => call('/echo', [`m${k}`])),
    )
    results.forEach((r, k) => {
      assert.deepEqual(r.data, [`M${k}`])
      assert.equal(r.trailers['grpc-status'], '0')
    })
  })
})
