import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  injectedFailure,
  parseRate,
  ratesFromEnv,
} from '../../../examples/booksapp/local/services/failure.js'
import { call, postJson, startService, type ServiceProcess } from './processes.js'

const fixed = (...values: number[]): (() => number) => {
  let i = 0
  return () => values[i++] ?? assert.fail('rand called more often than expected')
}

describe('failure injection rules', () => {
  it('FAILURE_RATE: HEAD only, failing when rand <= rate (booksapp ext/failure_rate.rb)', () => {
    const rates = { failureRate: 0.5, errorRate: undefined }
    assert.equal(injectedFailure(rates, 'HEAD', '/authors/1.json', fixed(0.5)), 503)
    assert.equal(injectedFailure(rates, 'HEAD', '/authors/1.json', fixed(0.49)), 503)
    assert.equal(injectedFailure(rates, 'HEAD', '/authors/1.json', fixed(0.51)), undefined)
    assert.equal(injectedFailure(rates, 'HEAD', '/ping', fixed(0)), 503)
    for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
      assert.equal(injectedFailure(rates, method, '/authors/1.json', fixed()), undefined)
    }
    // "0" still fails a draw of exactly 0, as booksapp's `rand(1.0) <= 0.0` does.
    assert.equal(
      injectedFailure({ failureRate: 0, errorRate: undefined }, 'HEAD', '/', fixed(0)),
      503,
    )
    assert.equal(
      injectedFailure({ failureRate: 0, errorRate: undefined }, 'HEAD', '/', fixed(1e-9)),
      undefined,
    )
  })

  it('ERROR_RATE: any method, any path but /ping, failing when rand < rate', () => {
    const rates = { failureRate: undefined, errorRate: 0.3 }
    assert.equal(injectedFailure(rates, 'GET', '/books.json', fixed(0.29)), 500)
    assert.equal(injectedFailure(rates, 'POST', '/books.json', fixed(0.3)), undefined)
    assert.equal(injectedFailure(rates, 'GET', '/ping', fixed()), undefined)
    assert.equal(
      injectedFailure({ failureRate: undefined, errorRate: 0 }, 'GET', '/', fixed(0)),
      undefined,
    )
    assert.equal(
      injectedFailure({ failureRate: undefined, errorRate: 1 }, 'GET', '/', fixed(0.999)),
      500,
    )
  })

  it('FAILURE_RATE is decided first; ERROR_RATE draws again for a HEAD that passed', () => {
    const both = { failureRate: 0.5, errorRate: 0.3 }
    assert.equal(injectedFailure(both, 'HEAD', '/x', fixed(0.4)), 503)
    assert.equal(injectedFailure(both, 'HEAD', '/x', fixed(0.9, 0.1)), 500)
    assert.equal(injectedFailure(both, 'HEAD', '/x', fixed(0.9, 0.9)), undefined)
  })

  it('reads the rates from the environment; unset or blank means off, junk is refused', () => {
    assert.deepEqual(ratesFromEnv({}), { failureRate: undefined, errorRate: undefined })
    assert.deepEqual(ratesFromEnv({ FAILURE_RATE: '0.5', ERROR_RATE: ' ' }), {
      failureRate: 0.5,
      errorRate: undefined,
    })
    assert.throws(() => parseRate('ERROR_RATE', 'lots'), /ERROR_RATE must be a number/)
  })
})

describe('failure injection in running services', () => {
  let flaky: ServiceProcess
  let books: ServiceProcess
  let erring: ServiceProcess
  before(async () => {
    ;[flaky, erring] = await Promise.all([
      startService('authors', { env: { FAILURE_RATE: '1', BOOKS_SITE: 'http://127.0.0.1:1' } }),
      startService('authors', { env: { ERROR_RATE: '0.3', BOOKS_SITE: 'http://127.0.0.1:1' } }),
    ])
    books = await startService('books', { env: { AUTHORS_SITE: flaky.url } })
  })
  after(async () => {
    await Promise.all([flaky?.stop(), books?.stop(), erring?.stop()])
  })

  it('FAILURE_RATE=1 fails every HEAD with 503 and no GET', async () => {
    for (let i = 0; i < 10; i++) {
      assert.equal((await call('HEAD', `${flaky.url}/authors/1.json`)).status, 503)
      assert.equal((await call('GET', `${flaky.url}/authors/1.json`)).status, 200)
    }
    assert.equal((await call('GET', `${flaky.url}/ping`)).status, 200)
  })

  it("so books' author check fails and creating a book answers 500, while reads work", async () => {
    const res = await postJson(`${books.url}/books.json`, { title: 'T', author_id: 1, pages: 10 })
    assert.equal(res.status, 500)
    assert.equal((await call('GET', `${books.url}/books.json`)).status, 200)
  })

  it('ERROR_RATE=0.3 fails about 30% of requests with 500, never /ping', async () => {
    const n = 200
    let errors = 0
    for (let i = 0; i < n; i++) {
      const res = await call('GET', `${erring.url}/authors/2.json`)
      assert.ok(res.status === 200 || res.status === 500, `unexpected ${res.status}`)
      if (res.status === 500) errors++
    }
    // Binomial(200, 0.3): mean 60, sd 6.5; the bounds are beyond 4.5 sd.
    assert.ok(errors >= 30 && errors <= 90, `${errors} of ${n} failed`)
    for (let i = 0; i < 30; i++) assert.equal((await call('GET', `${erring.url}/ping`)).status, 200)
  })
})
