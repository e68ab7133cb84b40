import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { UpstreamError } from '../../../../src/proxy/http1/errors.js'
import {
  Framing,
  ResponseParser,
  type ResponseHead,
} from '../../../../src/proxy/http1/response-parser.js'

function parse(text: string): ResponseHead {
  const out = new ResponseParser().parse(Buffer.from(text, 'latin1'), 0)
  assert.ok(out !== null)
  return out.head
}

describe('response parser', () => {
  it('reads status, framing and connection handling', () => {
    const r = parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: keep-alive\r\n\r\n')
    assert.equal(r.status, 200)
    assert.equal(r.contentLength, 10)
    assert.equal(r.upstreamCloses, false)
    assert.equal(r.framing('GET'), Framing.LENGTH)
    assert.equal(r.framing('HEAD'), Framing.NONE)
  })

  it('decides framing as RFC 9112 section 6.3 says', () => {
    const cases: [string, string, number][] = [
      ['HTTP/1.1 204 No Content\r\n\r\n', 'GET', Framing.NONE],
      ['HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n', 'GET', Framing.NONE],
      ['HTTP/1.1 100 Continue\r\n\r\n', 'POST', Framing.NONE],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', 'GET', Framing.CHUNKED],
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n', 'GET', Framing.CLOSE],
      ['HTTP/1.1 200 OK\r\n\r\n', 'GET', Framing.CLOSE],
      ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 'GET', Framing.NONE],
      ['HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\n', 'GET', Framing.LENGTH],
      ['HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\n', 'HEAD', Framing.NONE],
    ]
    for (const [text, method, framing] of cases) {
      assert.equal(parse(text).framing(method), framing, text)
    }
  })

  it('knows when the upstream will close', () => {
    assert.equal(parse('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n').upstreamCloses, true)
    assert.equal(parse('HTTP/1.0 200 OK\r\n\r\n').upstreamCloses, true)
    assert.equal(parse('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n').upstreamCloses, false)
    assert.deepEqual(parse('HTTP/1.1 200 OK\r\nConnection: X-Foo\r\n\r\n').connectionNames, [
      'x-foo',
    ])
  })

  it('accepts an empty reason phrase', () => {
    assert.equal(parse('HTTP/1.1 503 \r\n\r\n').status, 503)
    assert.equal(parse('HTTP/1.1 503\r\n\r\n').status, 503)
  })

  it('returns null on a partial head and rejects broken ones as protocol errors', () => {
    const p = new ResponseParser()
    assert.equal(p.parse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Le'), 0), null)
    for (const bad of [
      'HTTP/2 200 OK\r\n\r\n',
      'HTTP/1.1 20 OK\r\n\r\n',
      'HTTP/1.1 abc OK\r\n\r\n',
      'ICY 200 OK\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      'HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n',
    ]) {
      assert.throws(
        () => new ResponseParser().parse(Buffer.from(bad, 'latin1'), 0),
        (err: unknown) => err instanceof UpstreamError && err.kind === 'protocol',
        bad,
      )
    }
  })
})
