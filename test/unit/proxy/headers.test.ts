import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  forwardRequestHeaders,
  forwardResponseHeaders,
  requestAuthority,
} from '../../../src/proxy/headers.js'

describe('headers', () => {
  it('drops hop-by-hop headers and those the Connection header names', () => {
    const out = forwardRequestHeaders(
      [
        'Host',
        'books',
        'Connection',
        'keep-alive, X-Private',
        'X-Private',
        'p',
        'Keep-Alive',
        '5',
        'TE',
        'trailers',
        'Transfer-Encoding',
        'chunked',
        'Upgrade',
        'h2c',
        'Accept',
        '*/*',
      ],
      '10.0.0.9',
    )
    assert.deepEqual(out, ['Host', 'books', 'Accept', '*/*', 'x-forwarded-for', '10.0.0.9'])
  })

  it('appends the client to an existing x-forwarded-for, joining repeated ones', () => {
    const out = forwardRequestHeaders(
      ['X-Forwarded-For', '1.1.1.1', 'x-forwarded-for', '2.2.2.2'],
      '3.3.3.3',
    )
    assert.deepEqual(out, ['x-forwarded-for', '1.1.1.1, 2.2.2.2, 3.3.3.3'])
  })

  it('filters response headers the same way', () => {
    assert.deepEqual(
      forwardResponseHeaders({
        connection: 'close, x-a',
        'x-a': '1',
        'set-cookie': ['a=1', 'b=2'],
        'content-type': 'text/plain',
      }),
      {
        'set-cookie': ['a=1', 'b=2'],
        'content-type': 'text/plain',
      },
    )
  })

  it('takes the authority from an absolute-form target, else the Host header', () => {
    assert.deepEqual(requestAuthority('/x?y=1', 'books:7002'), {
      authority: 'books:7002',
      path: '/x?y=1',
      absolute: false,
    })
    assert.deepEqual(requestAuthority('http://hello/', 'ignored'), {
      authority: 'hello',
      path: '/',
      absolute: true,
    })
    assert.deepEqual(requestAuthority('http://user@hello:8080?q', undefined), {
      authority: 'hello:8080',
      path: '/?q',
      absolute: true,
    })
  })
})
