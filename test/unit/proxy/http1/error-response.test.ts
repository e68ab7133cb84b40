import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { errorResponseBytes } from '../../../../src/proxy/http1/error-response.js'
import { statusForError } from '../../../../src/proxy/http1/errors.js'
import { ResponseParser } from '../../../../src/proxy/http1/response-parser.js'

describe('error responses', () => {
  it('are complete, short, plain-text responses that parse', () => {
    const bytes = errorResponseBytes({ status: 404, body: 'unknown authority x\n' }, false, false)
    const parsed = new ResponseParser().parse(bytes, 0)
    assert.ok(parsed !== null)
    assert.equal(parsed.head.status, 404)
    assert.equal(parsed.head.contentLength, 20)
    assert.equal(bytes.toString('latin1', parsed.end), 'unknown authority x\n')
  })

  it('say connection: close when closing, and omit the body for HEAD', () => {
    const text = errorResponseBytes({ status: 400 }, true, true).toString('latin1')
    assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/)
    assert.match(text, /connection: close\r\n/)
    assert.match(text, /content-length: 12\r\n/)
    assert.ok(text.endsWith('\r\n\r\n'))
  })

  it('cannot be split by header values from the caller', () => {
    const text = errorResponseBytes(
      { status: 503, headers: { 'x-a\r\nx-b': 'v\r\nInjected: yes' } },
      false,
      false,
    ).toString('latin1')
    assert.doesNotMatch(text, /\r\nInjected/)
    assert.doesNotMatch(text, /\r\nx-b/)
  })

  it('map upstream failures to 502, 503 and 504', () => {
    assert.equal(statusForError('connect-refused'), 503)
    assert.equal(statusForError('connect-timeout'), 504)
    assert.equal(statusForError('timeout'), 504)
    assert.equal(statusForError('reset'), 502)
    assert.equal(statusForError('protocol'), 502)
  })
})
