import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { call, postJson, startServer, startService, type ServiceProcess } from './processes.js'

interface Row {
  id: number
  [column: string]: unknown
}

const list = async (url: string): Promise<Row[]> => {
  const res = await call('GET', url)
  assert.equal(res.status, 200, res.body)
  return JSON.parse(res.body) as Row[]
}

describe('booksapp authors and books APIs (real processes, wired directly)', () => {
  let authors: ServiceProcess
  let books: ServiceProcess
  before(async () => {
    // Ports are picked at start, so books (which these tests never let call authors) comes first
    // and authors, which calls books when an author is deleted, is told where it is.
    books = await startService('books', {
      env: { AUTHORS_SITE: 'http://127.0.0.1:1', APP_VERSION: 'v7' },
    })
    authors = await startService('authors', { env: { BOOKS_SITE: books.url } })
  })
  after(async () => {
    await Promise.all([authors?.stop(), books?.stop()])
  })

  it('answers /ping with pong and every response carries x-app-version', async () => {
    const ping = await call('GET', `${books.url}/ping`)
    assert.equal(ping.status, 200)
    assert.equal(ping.body, 'pong')
    assert.equal(ping.headers['x-app-version'], 'v7')
    assert.equal((await call('GET', `${authors.url}/ping`)).headers['x-app-version'], 'dev')
    const missing = await call('GET', `${books.url}/nope`)
    assert.equal(missing.status, 404)
    assert.equal(missing.headers['x-app-version'], 'v7')
  })

  it('serves the seeds: 10 authors and 15 books, filtered and ordered as booksapp', async () => {
    const as = await list(`${authors.url}/authors.json`)
    assert.equal(as.length, 10)
    assert.deepEqual(
      as.map((a) => `${String(a['first_name'])} ${String(a['last_name'])}`).slice(0, 3),
      ['Alice Munro', 'David Mitchell', 'Haruki Murakami'],
    )
    const byLast = await list(`${authors.url}/authors.json?order=lower(last_name)`)
    assert.deepEqual(byLast.map((a) => a['last_name']).slice(0, 3), ['Atwood', 'Baldwin', 'Chabon'])
    const bs = await list(`${books.url}/books.json`)
    assert.equal(bs.length, 15)
    const jemisin = await list(`${books.url}/books.json?author_id=7&order=lower(title)`)
    assert.deepEqual(
      jemisin.map((b) => b['title']),
      ['Fifth Season, The', 'Obelisk Gate, The', 'Stone Sky, The'],
    )
    const one = await call('GET', `${books.url}/books/3.json`)
    assert.equal(one.status, 200)
    assert.deepEqual(
      { ...(JSON.parse(one.body) as Row), created_at: 0, updated_at: 0 },
      { id: 3, title: '1Q84', pages: 1184, author_id: 3, created_at: 0, updated_at: 0 },
    )
    assert.equal((await call('GET', `${books.url}/books/999.json`)).status, 404)
    assert.equal((await call('GET', `${books.url}/books/abc.json`)).status, 404)
  })

  it('creates, validates, updates and deletes authors', async () => {
    const created = await postJson(`${authors.url}/authors.json`, {
      first_name: 'Octavia',
      last_name: 'Butler',
    })
    assert.equal(created.status, 201, created.body)
    const id = (JSON.parse(created.body) as Row).id
    assert.equal(created.headers.location, `/authors/${id}.json`)
    const twin = await postJson(`${authors.url}/authors.json`, {
      first_name: 'Octavia',
      last_name: 'Butler',
    })
    assert.equal(twin.status, 422)
    assert.deepEqual(JSON.parse(twin.body), { first_name: ['and last name are not unique'] })
    const blank = await postJson(`${authors.url}/authors.json`, { first_name: ' ' })
    assert.equal(blank.status, 422)
    assert.deepEqual(JSON.parse(blank.body), {
      first_name: ["can't be blank"],
      last_name: ["can't be blank"],
    })
    const head = await call('HEAD', `${authors.url}/authors/${id}.json`)
    assert.equal(head.status, 200)
    assert.equal(head.body, '')
    assert.equal((await call('HEAD', `${authors.url}/authors/999.json`)).status, 404)

    // PUT changes only first_name and last_name.
    const put = await postJson(
      `${authors.url}/authors/${id}.json`,
      { last_name: 'E. Butler', id: 1 },
      'PUT',
    )
    assert.equal(put.status, 200, put.body)
    assert.equal(put.headers.location, `/authors/${id}.json`)
    assert.deepEqual(
      [(JSON.parse(put.body) as Row).id, (JSON.parse(put.body) as Row)['last_name']],
      [id, 'E. Butler'],
    )
    assert.equal((await postJson(`${authors.url}/authors/999.json`, {}, 'PUT')).status, 404)
    assert.equal((await call('DELETE', `${authors.url}/authors/${id}.json`)).status, 204)
    assert.equal((await call('GET', `${authors.url}/authors/${id}.json`)).status, 404)
    assert.equal((await call('DELETE', `${authors.url}/authors/${id}.json`)).status, 404)
  })

  it('deleting an author deletes its books on the books service (before_destroy)', async () => {
    const before = (await list(`${books.url}/books.json?author_id=10`)).length
    assert.equal(before, 2)
    assert.equal((await call('DELETE', `${authors.url}/authors/10.json`)).status, 204)
    assert.deepEqual(await list(`${books.url}/books.json?author_id=10`), [])
    assert.equal((await list(`${books.url}/books.json`)).length, 13)
  })

  it('validates books: title, pages > 0, and casts form-style strings', async () => {
    const bad = await postJson(`${books.url}/books.json`, { title: '', pages: '0' })
    assert.equal(bad.status, 422)
    assert.deepEqual(JSON.parse(bad.body), {
      title: ["can't be blank"],
      pages: ['must be greater than 0'],
      author_id: ["can't be blank"],
    })
    assert.equal((await call('POST', `${books.url}/books.json`, { body: 'not json' })).status, 400)
  })

  it('books answers 500 when the authors service is unreachable', async () => {
    // This books process was started with AUTHORS_SITE on port 1, where nothing listens.
    const res = await postJson(`${books.url}/books.json`, { title: 'T', author_id: 3, pages: 1 })
    assert.equal(res.status, 500)
  })
})

describe('books checks the author with HEAD before saving', () => {
  const seen: string[] = []
  let status = 200
  let stub: Awaited<ReturnType<typeof startServer>>
  let books: ServiceProcess
  before(async () => {
    stub = await startServer((method, url) => {
      seen.push(`${method} ${url}`)
      return { status: url === '/authors/404.json' ? 404 : status }
    })
    books = await startService('books', { env: { AUTHORS_SITE: stub.url } })
  })
  after(async () => {
    await books?.stop()
    await stub?.close()
  })

  it('sends HEAD /authors/:id.json on create and on update; 2xx saves', async () => {
    seen.length = 0
    status = 200
    const res = await postJson(`${books.url}/books.json`, {
      title: 'Ready Player One',
      author_id: '12',
      pages: '345',
    })
    assert.equal(res.status, 201, res.body)
    const book = JSON.parse(res.body) as Row
    assert.deepEqual(
      [book['title'], book['author_id'], book['pages']],
      ['Ready Player One', 12, 345],
    )
    assert.equal(res.headers.location, `/books/${book.id}.json`)
    assert.deepEqual(seen, ['HEAD /authors/12.json'])

    const put = await postJson(
      `${books.url}/books/${book.id}.json`,
      { title: 'Ready Player Three', pages: 567 },
      'PUT',
    )
    assert.equal(put.status, 200, put.body)
    assert.equal((JSON.parse(put.body) as Row)['title'], 'Ready Player Three')
    assert.deepEqual(seen, ['HEAD /authors/12.json', 'HEAD /authors/12.json'])
    assert.equal((await call('DELETE', `${books.url}/books/${book.id}.json`)).status, 204)
  })

  it('a 404 from authors is a validation error (422), not a failure', async () => {
    const res = await postJson(`${books.url}/books.json`, { title: 'T', author_id: 404, pages: 1 })
    assert.equal(res.status, 422)
    assert.deepEqual(JSON.parse(res.body), { author_id: ['does not exist'] })
  })

  it('a 503 from authors (FAILURE_RATE) makes the save answer 500, and nothing is saved', async () => {
    status = 503
    const count = (JSON.parse((await call('GET', `${books.url}/books.json`)).body) as Row[]).length
    const res = await postJson(`${books.url}/books.json`, { title: 'T', author_id: 3, pages: 1 })
    assert.equal(res.status, 500)
    const put = await postJson(`${books.url}/books/1.json`, { pages: 2 }, 'PUT')
    assert.equal(put.status, 500)
    assert.equal(
      (JSON.parse((await call('GET', `${books.url}/books.json`)).body) as Row[]).length,
      count,
    )
    status = 200
  })
})
