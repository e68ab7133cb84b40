import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { BodyFramer } from '../../../../src/proxy/http1/body-framer.js'
import { Framing } from '../../../../src/proxy/http1/response-parser.js'

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1')

describe('body framer', () => {
  it('counts a Content-Length body across reads and stops at its end', () => {
    const f = BodyFramer.forRequest(false, 5)
    assert.equal(f.advance(bytes('abc'), 0, 3), 3)
    assert.equal(f.done, false)
    // The last two bytes, then the next pipelined request.
    assert.equal(f.advance(bytes('deGET /'), 0, 7), 2)
    assert.equal(f.done, true)
  })

  it('finds the end of a chunked body and rejects bad framing', () => {
    const f = BodyFramer.forRequest(true, -1)
    const text = '3\r\nabc\r\n0\r\n\r\nnext'
    assert.equal(f.advance(bytes(text), 0, text.length), text.length - 4)
    assert.equal(f.done, true)
    assert.equal(BodyFramer.forRequest(true, -1).advance(bytes('x\r\n'), 0, 3), -1)
  })

  it('shares one framer for bodiless messages, already done', () => {
    const a = BodyFramer.forRequest(false, -1)
    const b = BodyFramer.of(Framing.NONE, 0)
    assert.equal(a, b)
    assert.equal(a.done, true)
    assert.equal(a.advance(bytes('GET'), 0, 3), 0)
  })

  it('takes everything for a close-delimited response and never finishes by itself', () => {
    const f = BodyFramer.of(Framing.CLOSE, 0)
    assert.equal(f.advance(bytes('anything'), 2, 8), 8)
    assert.equal(f.done, false)
  })
})
