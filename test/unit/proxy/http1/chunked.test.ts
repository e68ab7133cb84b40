import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { CHUNKED_ERROR, CHUNKED_MORE, ChunkedScanner } from '../../../../src/proxy/http1/chunked.js'

/** Feeds `text` in pieces of `step` bytes; returns the end index reported, or an error marker. */
function scanInSteps(text: string, step: number, maxTrailer?: number): number {
  const buf = Buffer.from(text, 'latin1')
  const s = new ChunkedScanner(maxTrailer)
  for (let i = 0; i < buf.length; i += step) {
    const r = s.scan(buf, i, Math.min(buf.length, i + step))
    if (r !== CHUNKED_MORE) return r
  }
  return CHUNKED_MORE
}

describe('chunked scanner', () => {
  const valid: [string, string][] = [
    ['one chunk', '5\r\nhello\r\n0\r\n\r\n'],
    ['hex sizes, both cases', 'a\r\n0123456789\r\nA\r\n0123456789\r\n0\r\n\r\n'],
    ['extensions', '5;name=value;x\r\nhello\r\n0;last\r\n\r\n'],
    ['trailers', '3\r\nabc\r\n0\r\nX-Checksum: 1\r\nGrpc-Status: 0\r\n\r\n'],
    ['empty body', '0\r\n\r\n'],
    ['leading zeros', '0005\r\nhello\r\n000\r\n\r\n'],
  ]
  for (const [name, text] of valid) {
    it(`finds the end of a valid body (${name}) at every split`, () => {
      for (let step = 1; step <= text.length; step++) {
        assert.equal(scanInSteps(text, step), text.length, `step ${step}`)
      }
    })
  }

  it('stops at the end of the body and leaves what follows', () => {
    const buf = Buffer.from('2\r\nab\r\n0\r\n\r\nGET / HTTP/1.1\r\n', 'latin1')
    const s = new ChunkedScanner()
    assert.equal(s.scan(buf, 0, buf.length), 12)
    assert.equal(s.done, true)
    assert.equal(s.dataBytes, 2)
  })

  it('reports more when the body is unfinished', () => {
    assert.equal(scanInSteps('5\r\nhel', 100), CHUNKED_MORE)
  })

  const invalid: [string, string][] = [
    ['no size', '\r\nhello\r\n0\r\n\r\n'],
    ['non-hex size', 'g\r\nhello\r\n0\r\n\r\n'],
    ['negative size', '-5\r\nhello\r\n0\r\n\r\n'],
    ['bare LF after size', '5\nhello\r\n0\r\n\r\n'],
    ['data longer than size', '3\r\nhello\r\n0\r\n\r\n'],
    ['missing CRLF after data', '5\r\nhello0\r\n\r\n'],
    ['size overflow', 'fffffffffffffffffff\r\n'],
    ['control byte in extension', '5;a\x01\r\nhello\r\n0\r\n\r\n'],
    ['folded trailer', '0\r\n folded\r\n\r\n'],
    ['bare LF at the end', '0\r\n\n'],
  ]
  for (const [name, text] of invalid) {
    it(`rejects ${name}`, () => {
      assert.equal(scanInSteps(text, text.length), CHUNKED_ERROR)
      assert.equal(scanInSteps(text, 1), CHUNKED_ERROR)
    })
  }

  it('rejects trailers over the limit', () => {
    assert.equal(scanInSteps(`0\r\nX: ${'a'.repeat(100)}\r\n\r\n`, 7, 64), CHUNKED_ERROR)
  })
})
