import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { HttpProtocolError } from '../../../../src/proxy/http1/errors.js'
import { RequestParser, type RequestLimits } from '../../../../src/proxy/http1/request-parser.js'
import type { RequestHead } from '../../../../src/proxy/http1/request-head.js'

const limits: RequestLimits = { maxHeaderBytes: 1024, maxHeaders: 10, maxBodyBytes: 1_000_000 }

function parse(text: string, l = limits): RequestHead {
  const out = new RequestParser(l).parse(Buffer.from(text, 'latin1'), 0)
  assert.ok(out !== null, 'head should be complete')
  return out.head
}

function rejects(text: string, status: number, l = limits): void {
  assert.throws(
    () => new RequestParser(l).parse(Buffer.from(text, 'latin1'), 0),
    (err: unknown) => err instanceof HttpProtocolError && err.status === status,
    `expected ${status} for ${JSON.stringify(text)}`,
  )
}

describe('request parser: valid heads', () => {
  it('extracts method, target, authority and version from an origin-form request', () => {
    const r = parse('GET /a/b?c=1 HTTP/1.1\r\nHost: Example.COM:8080\r\nAccept: */*\r\n\r\n')
    assert.equal(r.method, 'GET')
    assert.equal(r.target, '/a/b?c=1')
    assert.equal(r.path, '/a/b?c=1')
    assert.equal(r.authority, 'example.com:8080')
    assert.equal(r.versionMinor, 1)
    assert.equal(r.keepAlive, true)
    assert.equal(r.hasBody, false)
    assert.equal(r.headerCount, 2)
    assert.equal(r.header('accept'), '*/*')
    assert.equal(r.header('ACCEPT'), '*/*')
    assert.equal(r.header('missing'), undefined)
    assert.deepEqual(r.headers(), [
      ['Host', 'Example.COM:8080'],
      ['Accept', '*/*'],
    ])
  })

  it('takes the authority of an absolute-form target over the Host header', () => {
    const r = parse('GET http://Books.Svc:7000/x?y HTTP/1.1\r\nHost: other\r\n\r\n')
    assert.equal(r.absoluteForm, true)
    assert.equal(r.authority, 'books.svc:7000')
    assert.equal(r.path, '/x?y')
    assert.equal(parse('GET http://a HTTP/1.1\r\n\r\n').path, '/')
    assert.equal(parse('GET http://a?q HTTP/1.1\r\n\r\n').path, '/?q')
  })

  it('accepts OPTIONS *, HTTP/1.0 without Host, and unknown methods', () => {
    assert.equal(parse('OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n').path, '*')
    const old = parse('GET / HTTP/1.0\r\n\r\n')
    assert.equal(old.versionMinor, 0)
    assert.equal(old.keepAlive, false)
    assert.equal(old.authority, '')
    assert.equal(parse('PURGE /x HTTP/1.1\r\nHost: a\r\n\r\n').method, 'PURGE')
  })

  it('reads body framing: Content-Length, repeated equal values, chunked', () => {
    assert.equal(
      parse('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n').contentLength,
      42,
    )
    const same = parse(
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\ncontent-length: 5\r\n\r\n',
    )
    assert.equal(same.contentLength, 5)
    const chunked = parse('POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:  Chunked \r\n\r\n')
    assert.equal(chunked.chunked, true)
    assert.equal(chunked.hasBody, true)
    assert.equal(parse('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n').hasBody, false)
  })

  it('reads Connection, Upgrade and Expect', () => {
    const r = parse(
      'GET / HTTP/1.1\r\nHost: a\r\nConnection: close, X-Secret\r\nExpect: 100-Continue\r\n\r\n',
    )
    assert.equal(r.keepAlive, false)
    assert.deepEqual(r.connectionNames, ['x-secret'])
    assert.equal(r.expectContinue, true)
    const up = parse(
      'GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
    )
    assert.equal(up.upgrade, 'websocket')
    // Upgrade without Connection: upgrade is not an upgrade request.
    assert.equal(parse('GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n').upgrade, '')
  })

  it('trims optional whitespace around values and allows obs-text', () => {
    const r = parse('GET / HTTP/1.1\r\nHost: a\r\nX-A: \t v a l \t\r\nX-B: caf\xe9\r\nX-C:\r\n\r\n')
    assert.equal(r.header('x-a'), 'v a l')
    assert.equal(r.header('x-b'), 'caf\xe9')
    assert.equal(r.header('x-c'), '')
  })

  it('skips empty lines before the request line', () => {
    assert.equal(parse('\r\n\r\nGET /z HTTP/1.1\r\nHost: a\r\n\r\n').path, '/z')
  })
})

describe('request parser: incremental and pipelined input', () => {
  const text =
    'POST /p HTTP/1.1\r\nHost: svc\r\nContent-Length: 3\r\nX-Long: ' + 'v'.repeat(50) + '\r\n\r\n'

  it('returns null until the head is complete, at every split point', () => {
    const all = Buffer.from(text, 'latin1')
    for (let cut = 1; cut < all.length; cut++) {
      const parser = new RequestParser(limits)
      assert.equal(parser.parse(all.subarray(0, cut), 0), null, `cut at ${cut}`)
      const out = parser.parse(all, 0, cut)
      assert.ok(out !== null)
      assert.equal(out.end, all.length)
      assert.equal(out.head.path, '/p')
      assert.equal(out.head.contentLength, 3)
    }
  })

  it('parses pipelined heads one after another', () => {
    const buf = Buffer.from(
      'GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: b\r\n\r\nGET /3 HTTP/1.1\r\nHost: c\r\n\r\n',
      'latin1',
    )
    const parser = new RequestParser(limits)
    const seen: string[] = []
    let pos = 0
    for (;;) {
      const out = parser.parse(buf, pos)
      if (out === null) break
      seen.push(`${out.head.authority}${out.head.path}`)
      pos = out.end
    }
    assert.deepEqual(seen, ['a/1', 'b/2', 'c/3'])
    assert.equal(pos, buf.length)
  })
})

describe('request parser: rejections carry the status to answer', () => {
  const cases: [string, string, number][] = [
    ['garbage request line', 'HELLO\r\n\r\n', 400],
    ['no target', 'GET  HTTP/1.1\r\nHost: a\r\n\r\n', 400],
    ['space in target', 'GET /a b HTTP/1.1\r\nHost: a\r\n\r\n', 400],
    ['control byte in target', 'GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n', 400],
    ['lower-case version', 'GET / http/1.1\r\nHost: a\r\n\r\n', 400],
    ['bad method byte', 'G(T / HTTP/1.1\r\nHost: a\r\n\r\n', 400],
    ['relative target', 'GET a/b HTTP/1.1\r\nHost: a\r\n\r\n', 400],
    ['asterisk without OPTIONS', 'GET * HTTP/1.1\r\nHost: a\r\n\r\n', 400],
    ['userinfo in absolute-form', 'GET http://u@h/ HTTP/1.1\r\n\r\n', 400],
    ['https absolute-form', 'GET https://h/ HTTP/1.1\r\n\r\n', 400],
    ['HTTP/2.0', 'GET / HTTP/2.0\r\nHost: a\r\n\r\n', 505],
    ['HTTP/1.2', 'GET / HTTP/1.2\r\nHost: a\r\n\r\n', 505],
    ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 505],
    ['CONNECT', 'CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n', 501],
    ['missing Host', 'GET / HTTP/1.1\r\n\r\n', 400],
    ['two Hosts', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400],
    ['bad Host', 'GET / HTTP/1.1\r\nHost: a/b\r\n\r\n', 400],
    ['space before colon', 'GET / HTTP/1.1\r\nHost : a\r\n\r\n', 400],
    ['empty header name', 'GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n', 400],
    ['bad name byte', 'GET / HTTP/1.1\r\nHost: a\r\nX(y): v\r\n\r\n', 400],
    ['NUL in value', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n', 400],
    ['DEL in value', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\x7fb\r\n\r\n', 400],
    ['bare LF in value', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\nb\r\n\r\n', 400],
    ['bare CR in value', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n', 400],
    ['obs-fold', 'GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n', 400],
    [
      'CL with TE',
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n',
      400,
    ],
    [
      'TE with CL',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n',
      400,
    ],
    [
      'differing CLs',
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n',
      400,
    ],
    ['differing CL list', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\n', 400],
    ['negative CL', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n', 400],
    ['hex CL', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n', 400],
    ['empty CL', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n', 400],
    ['huge CL', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n', 400],
    ['CL over the limit', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000001\r\n\r\n', 413],
    [
      'chunked not final',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n',
      400,
    ],
    [
      'chunked twice',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n',
      400,
    ],
    ['unknown coding', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n', 501],
    [
      'gzip then chunked',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n',
      501,
    ],
    ['empty TE', 'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n', 400],
    ['TE in HTTP/1.0', 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n', 400],
  ]
  for (const [name, text, status] of cases) {
    it(`${name} -> ${status}`, () => {
      rejects(text, status)
    })
  }

  it('too many headers -> 431', () => {
    const many = Array.from({ length: 11 }, (_, i) => `X-${i}: v\r\n`).join('')
    rejects(`GET / HTTP/1.1\r\nHost: a\r\n${many}\r\n`, 431)
  })

  it('a head over the size limit -> 431, even before it is complete', () => {
    rejects(`GET / HTTP/1.1\r\nHost: a\r\nX: ${'v'.repeat(1100)}\r\n\r\n`, 431)
    rejects(`GET / HTTP/1.1\r\nHost: a\r\nX: ${'v'.repeat(1100)}`, 431)
  })
})
