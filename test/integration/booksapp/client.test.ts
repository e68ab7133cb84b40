import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  bypassesProxy,
  clientOptionsFromEnv,
  createHttpClient,
  TransportError,
} from '../../../examples/booksapp/local/services/client.js'
import { startForwardProxy, startServer } from './processes.js'

describe('booksapp outbound client', () => {
  it('reads HTTP_PROXY (or http_proxy) and NO_PROXY from the environment', () => {
    assert.deepEqual(clientOptionsFromEnv({}), { proxy: undefined, noProxy: undefined })
    assert.deepEqual(clientOptionsFromEnv({ http_proxy: 'http://127.0.0.1:4140', NO_PROXY: ' ' }), {
      proxy: 'http://127.0.0.1:4140',
      noProxy: undefined,
    })
    assert.equal(
      clientOptionsFromEnv({ HTTP_PROXY: 'http://a:1', http_proxy: 'http://b:2' }).proxy,
      'http://a:1',
    )
  })

  it('bypasses the proxy for NO_PROXY names, suffixes and *', () => {
    assert.equal(bypassesProxy('books', undefined), false)
    assert.equal(bypassesProxy('localhost', 'localhost,127.0.0.1'), true)
    assert.equal(bypassesProxy('api.example.com', '.example.com'), true)
    assert.equal(bypassesProxy('api.example.com', 'example.com:443'), true)
    assert.equal(bypassesProxy('books', 'authors'), false)
    assert.equal(bypassesProxy('books', '*'), true)
  })

  describe('against real sockets', () => {
    let origin: Awaited<ReturnType<typeof startServer>>
    let proxy: Awaited<ReturnType<typeof startForwardProxy>>
    before(async () => {
      origin = await startServer((method, url, headers) => ({
        status: 200,
        body: JSON.stringify({ method, url, host: headers.host }),
      }))
      proxy = await startForwardProxy(new Map([['books:7002', origin.port]]))
    })
    after(async () => {
      await proxy?.close()
      await origin?.close()
    })

    it('sends absolute-form requests to the proxy, and plain ones when NO_PROXY matches', async () => {
      const http = createHttpClient({ proxy: proxy.url, noProxy: '127.0.0.1' })
      try {
        const res = await http.request('GET', 'http://books:7002/books.json?order=id')
        assert.deepEqual(JSON.parse(res.body), {
          method: 'GET',
          url: '/books.json?order=id',
          host: 'books:7002',
        })
        assert.deepEqual(proxy.seen.at(-1), {
          method: 'GET',
          target: 'http://books:7002/books.json?order=id',
          host: 'books:7002',
        })
        const before = proxy.seen.length
        const direct = await http.request('GET', `${origin.url}/x`)
        assert.equal((JSON.parse(direct.body) as { url: string }).url, '/x')
        assert.equal(proxy.seen.length, before)
      } finally {
        http.close()
      }
    })

    it('rejects with TransportError when nothing answers, and times out', async () => {
      const http = createHttpClient({ timeoutMs: 300 })
      const silent = await startServer(() => ({ status: 200 }))
      silent.server.removeAllListeners('request')
      silent.server.on('request', () => undefined) // never answers
      try {
        await assert.rejects(http.request('GET', 'http://127.0.0.1:1/'), (err: unknown) => {
          assert.ok(err instanceof TransportError)
          assert.equal(err.code, 'ECONNREFUSED')
          return true
        })
        await assert.rejects(http.request('GET', `${silent.url}/`), (err: unknown) => {
          assert.ok(err instanceof TransportError)
          assert.equal(err.code, 'ETIMEDOUT')
          return true
        })
      } finally {
        http.close()
        await silent.close()
      }
    })
  })
})
