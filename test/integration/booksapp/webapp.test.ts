import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  call,
  freePorts,
  postForm,
  startForwardProxy,
  startServer,
  startService,
  type ServiceProcess,
} from './processes.js'

/** The path of a redirect, which webapp makes absolute from the Host header, as Sinatra does. */
const locationPath = (location: string | undefined): string =>
  new URL(location ?? '', 'http://x').pathname

describe('booksapp webapp pages and redirects (real processes, wired directly)', () => {
  let authors: ServiceProcess
  let books: ServiceProcess
  let webapp: ServiceProcess
  before(async () => {
    // authors and books call each other, so both ports are chosen before either starts.
    const [ap, bp] = (await freePorts(2)) as [number, number]
    ;[authors, books] = await Promise.all([
      startService('authors', { env: { PORT: String(ap), BOOKS_SITE: `http://127.0.0.1:${bp}` } }),
      startService('books', { env: { PORT: String(bp), AUTHORS_SITE: `http://127.0.0.1:${ap}` } }),
    ])
    webapp = await startService('webapp', {
      env: {
        AUTHORS_SITE: authors.url,
        BOOKS_SITE: books.url,
        APP_VERSION: 'v9',
        FLEDGE_REPLICA: 'webapp-0',
      },
    })
  })
  after(async () => {
    await Promise.all([authors?.stop(), books?.stop(), webapp?.stop()])
  })

  it('GET / lists the books by title and the authors by last name', async () => {
    const res = await call('GET', `${webapp.url}/`)
    assert.equal(res.status, 200)
    assert.match(String(res.headers['content-type']), /text\/html/)
    assert.equal(res.headers['x-app-version'], 'v9')
    const titles = [...res.body.matchAll(/<a href="\/books\/\d+">([^<]*)<\/a>/g)].map((m) => m[1])
    assert.equal(titles.length, 15)
    assert.deepEqual(titles.slice(0, 3), ['1Q84', 'American Gods', 'Children of Men'])
    assert.match(res.body, /Giovanni&#39;s Room/)
    assert.match(res.body, /served by booksapp v9 \(webapp-0\)/)
    assert.equal((await call('GET', `${webapp.url}/ping`)).body, 'pong')
  })

  it('walks the traffic generator loop: create author and books, edit, delete (303s)', async () => {
    const host = { host: 'webapp:7000' }
    const created = await postForm(`${webapp.url}/authors`, {
      first_name: 'Ernest',
      last_name: 'Cline',
    })
    assert.equal(created.status, 303)
    assert.match(created.headers.location ?? '', /^http:\/\/127\.0\.0\.1:\d+\/authors\/\d+$/)
    const authorPath = locationPath(created.headers.location)
    const authorId = authorPath.split('/').pop() ?? ''
    const page = await call('GET', `${webapp.url}${authorPath}`)
    assert.equal(page.status, 200)
    assert.match(page.body, /Ernest Cline/)

    const book = await postForm(`${webapp.url}/books`, {
      title: 'Ready Player One',
      author_id: authorId,
      pages: '345',
    })
    assert.equal(book.status, 303, book.body)
    const bookPath = locationPath(book.headers.location)
    assert.match(bookPath, /^\/books\/\d+$/)
    const bookPage = await call('GET', `${webapp.url}${bookPath}`, { headers: host })
    assert.equal(bookPage.status, 200)
    assert.match(bookPage.body, /Ready Player One[\s\S]*Ernest Cline[\s\S]*345 pages/)

    const edit = await call('POST', `${webapp.url}${bookPath}/edit`, {
      body: 'title=Ready+Player+Three&author_id=' + authorId + '&pages=567',
      headers: { ...host, 'content-type': 'application/x-www-form-urlencoded' },
    })
    assert.equal(edit.status, 303)
    assert.equal(edit.headers.location, `http://webapp:7000${bookPath}`)
    assert.match(
      (await call('GET', `${webapp.url}${bookPath}`)).body,
      /Ready Player Three[\s\S]*567 pages/,
    )
    assert.equal((await call('GET', `${webapp.url}${bookPath}/edit`)).status, 200)
    assert.equal((await call('GET', `${webapp.url}${authorPath}/edit`)).status, 200)

    const renamed = await postForm(`${webapp.url}${authorPath}/edit`, {
      first_name: 'Ernie',
      last_name: 'Cline',
    })
    assert.equal(renamed.status, 303)
    assert.equal(locationPath(renamed.headers.location), authorPath)

    const delBook = await postForm(`${webapp.url}${bookPath}/delete`, {})
    assert.equal(delBook.status, 303)
    assert.equal(locationPath(delBook.headers.location), '/')
    const delAuthor = await postForm(`${webapp.url}${authorPath}/delete`, {})
    assert.equal(delAuthor.status, 303)
    assert.equal(locationPath(delAuthor.headers.location), '/')
  })

  it('an invalid create redirects home with a flash message', async () => {
    const res = await postForm(`${webapp.url}/books`, {
      title: 'No author',
      author_id: '999',
      pages: '10',
    })
    assert.equal(res.status, 303)
    assert.equal(locationPath(res.headers.location), '/')
    const cookie = (res.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? ''
    const home = await call('GET', `${webapp.url}/`, { headers: { cookie } })
    assert.match(home.body, /class="flash">Author does not exist/)
  })

  it('a missing author or book redirects home (302 after GET) with "Not found"', async () => {
    const res = await call('GET', `${webapp.url}/authors/999`)
    assert.equal(res.status, 302)
    assert.equal(locationPath(res.headers.location), '/')
    assert.match(String(res.headers['set-cookie']), /booksapp_flash=Not%20found/)
    const post = await postForm(`${webapp.url}/books/999/delete`, {})
    assert.equal(post.status, 303)
    assert.equal(locationPath(post.headers.location), '/')
  })

  it('GET /reset deletes every author named Cline and answers 204', async () => {
    for (const first of ['Ernest', 'Patsy']) {
      assert.equal(
        (await postForm(`${webapp.url}/authors`, { first_name: first, last_name: 'Cline' })).status,
        303,
      )
    }
    const reset = await call('GET', `${webapp.url}/reset`)
    assert.equal(reset.status, 204)
    const left = JSON.parse(
      (await call('GET', `${authors.url}/authors.json?last_name=Cline`)).body,
    ) as unknown[]
    assert.deepEqual(left, [])
  })
})

describe('webapp when a downstream service fails', () => {
  let authors: ServiceProcess
  let webapp: ServiceProcess
  let stub: Awaited<ReturnType<typeof startServer>>
  before(async () => {
    stub = await startServer((_method, url) =>
      url.startsWith('/books.json') ? { status: 503, body: 'down' } : { status: 404 },
    )
    authors = await startService('authors', { env: { BOOKS_SITE: stub.url } })
    webapp = await startService('webapp', {
      env: { AUTHORS_SITE: authors.url, BOOKS_SITE: stub.url },
    })
  })
  after(async () => {
    await Promise.all([authors?.stop(), webapp?.stop()])
    await stub?.close()
  })

  it('answers 500 when books answers 5xx, and still serves what does not need books', async () => {
    assert.equal((await call('GET', `${webapp.url}/`)).status, 500)
    assert.equal((await call('GET', `${webapp.url}/authors/1`)).status, 500)
    assert.equal((await call('GET', `${webapp.url}/authors/1/edit`)).status, 200)
    // books' 404 is ResourceNotFound: a redirect, not an error.
    assert.equal((await call('GET', `${webapp.url}/books/1`)).status, 302)
  })

  it('answers 500 when a downstream service is unreachable', async () => {
    const lonely = await startService('webapp', {
      env: { AUTHORS_SITE: 'http://127.0.0.1:1', BOOKS_SITE: 'http://127.0.0.1:1' },
    })
    try {
      assert.equal((await call('GET', `${lonely.url}/`)).status, 500)
      assert.equal((await call('GET', `${lonely.url}/ping`)).status, 200)
    } finally {
      await lonely.stop()
    }
  })
})

describe('apps reach each other through HTTP_PROXY, by service name', () => {
  let authors: ServiceProcess
  let books: ServiceProcess
  let webapp: ServiceProcess
  let proxy: Awaited<ReturnType<typeof startForwardProxy>>
  const routes = new Map<string, number>()
  before(async () => {
    proxy = await startForwardProxy(routes)
    const viaProxy = {
      HTTP_PROXY: proxy.url,
      AUTHORS_SITE: 'http://authors:7001',
      BOOKS_SITE: 'http://books:7002',
    }
    ;[authors, books, webapp] = await Promise.all([
      startService('authors', { env: viaProxy }),
      startService('books', { env: viaProxy }),
      startService('webapp', { env: viaProxy }),
    ])
    routes.set('authors:7001', authors.port)
    routes.set('books:7002', books.port)
  })
  after(async () => {
    await Promise.all([authors?.stop(), books?.stop(), webapp?.stop()])
    await proxy?.close()
  })

  it('sends absolute-form requests with the service authority as Host', async () => {
    const home = await call('GET', `${webapp.url}/`)
    assert.equal(home.status, 200)
    const author = await postForm(`${webapp.url}/authors`, {
      first_name: 'Ernest',
      last_name: 'Cline',
    })
    const id = locationPath(author.headers.location).split('/').pop() ?? ''
    const book = await postForm(`${webapp.url}/books`, {
      title: 'Ready Player One',
      author_id: id,
      pages: '345',
    })
    assert.equal(book.status, 303, book.body)
    const lines = proxy.seen.map((r) => `${r.method} ${r.target} host=${r.host ?? ''}`)
    for (const expected of [
      'GET http://books:7002/books.json?order=lower%28title%29 host=books:7002',
      'GET http://authors:7001/authors.json?order=lower%28last_name%29 host=authors:7001',
      'POST http://authors:7001/authors.json host=authors:7001',
      'POST http://books:7002/books.json host=books:7002',
      // books' own author check, also through the proxy
      `HEAD http://authors:7001/authors/${id}.json host=authors:7001`,
    ]) {
      assert.ok(
        lines.includes(expected),
        `proxy did not see ${expected}; saw:\n${lines.join('\n')}`,
      )
    }
  })
})
