import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  buildClosingResponseHead,
  buildRequestHead,
  compactResponseHead,
} from '../../../../src/proxy/http1/head-writer.js'
import { RequestParser } from '../../../../src/proxy/http1/request-parser.js'
import { ResponseParser } from '../../../../src/proxy/http1/response-parser.js'

const tail = Buffer.from('x-forwarded-for: 10.0.0.1\r\n\r\n', 'latin1')

function upstreamHead(text: string): string {
  const out = new RequestParser().parse(Buffer.from(text, 'latin1'), 0)
  assert.ok(out !== null)
  return buildRequestHead(out.head, '10.0.0.1', tail).toString('latin1')
}

describe('request head for the upstream', () => {
  it('passes a plain head through byte for byte and appends x-forwarded-for', () => {
    const text = 'GET /x HTTP/1.1\r\nHost: svc\r\nAccept: */*\r\nContent-Length: 0\r\n\r\n'
    assert.equal(upstreamHead(text), text.slice(0, -2) + 'x-forwarded-for: 10.0.0.1\r\n\r\n')
  })

  it('strips hop-by-hop headers and the ones Connection names', () => {
    const out = upstreamHead(
      'GET / HTTP/1.1\r\nHost: svc\r\nConnection: keep-alive, X-Hop\r\nKeep-Alive: 5\r\n' +
        'X-Hop: 1\r\nProxy-Connection: x\r\nTE: trailers\r\nTrailer: X\r\nUpgrade: foo\r\nX-End: 2\r\n\r\n',
    )
    assert.equal(
      out,
      'GET / HTTP/1.1\r\nHost: svc\r\nX-End: 2\r\nx-forwarded-for: 10.0.0.1\r\n\r\n',
    )
  })

  it('appends to an existing x-forwarded-for chain', () => {
    const out = upstreamHead(
      'GET / HTTP/1.1\r\nX-Forwarded-For: 1.1.1.1\r\nHost: svc\r\nx-forwarded-for: 2.2.2.2\r\n\r\n',
    )
    assert.equal(
      out,
      'GET / HTTP/1.1\r\nHost: svc\r\nx-forwarded-for: 1.1.1.1, 2.2.2.2, 10.0.0.1\r\n\r\n',
    )
  })

  it('rewrites absolute-form to origin-form with the URI authority as Host', () => {
    const out = upstreamHead('GET http://books:7000/a?b HTTP/1.1\r\nHost: wrong\r\nX: y\r\n\r\n')
    assert.equal(
      out,
      'GET /a?b HTTP/1.1\r\nX: y\r\nhost: books:7000\r\nx-forwarded-for: 10.0.0.1\r\n\r\n',
    )
  })

  it('keeps chunked framing and re-sends an upgrade request as such', () => {
    const chunked = upstreamHead('POST / HTTP/1.1\r\nHost: s\r\nTransfer-Encoding: chunked\r\n\r\n')
    assert.match(chunked, /Transfer-Encoding: chunked\r\n/)
    const up = upstreamHead(
      'GET / HTTP/1.1\r\nHost: s\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    )
    assert.equal(
      up,
      'GET / HTTP/1.1\r\nHost: s\r\nconnection: upgrade\r\nupgrade: websocket\r\nx-forwarded-for: 10.0.0.1\r\n\r\n',
    )
  })
})

describe('response head for the client', () => {
  function parsed(text: string) {
    const buf = Buffer.from(text, 'latin1')
    const out = new ResponseParser().parse(buf, 0)
    assert.ok(out !== null)
    return { res: out.head, buf, end: out.end }
  }

  it('removes hop-by-hop lines in place, contiguous with the body', () => {
    const { res, buf, end } = parsed(
      'HTTP/1.1 200 OK\r\nServer: x\r\nConnection: keep-alive, X-Hop\r\nKeep-Alive: timeout=5\r\n' +
        'X-Hop: 1\r\nContent-Length: 5\r\n\r\nhello',
    )
    const start = compactResponseHead(res, false)
    assert.equal(
      buf.toString('latin1', start, buf.length),
      'HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 5\r\n\r\nhello',
    )
    assert.equal(end, buf.length - 5)
  })

  it('leaves a clean head untouched', () => {
    const text = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'
    const { res, buf } = parsed(text)
    assert.equal(compactResponseHead(res, false), 0)
    assert.equal(buf.toString('latin1'), text)
  })

  it('keeps Connection and Upgrade on a 101', () => {
    const text =
      'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n'
    const { res, buf } = parsed(text)
    assert.equal(compactResponseHead(res, true), 0)
    assert.equal(buf.toString('latin1'), text)
  })

  it('adds connection: close when the client connection will end', () => {
    const { res } = parsed('HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nX: 1\r\n\r\n')
    assert.equal(
      buildClosingResponseHead(res, false).toString('latin1'),
      'HTTP/1.1 200 OK\r\nX: 1\r\nconnection: close\r\n\r\n',
    )
  })
})
