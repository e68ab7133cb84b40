/**
 * The webapp (booksapp webapp.rb): HTML pages over the authors and books services. Downstream
 * errors are not rescued (the page answers 500), except not-found, which redirects home with a
 * flash message, as booksapp's ResourceNotFound handler does.
 */
import { html, pong, type Reply, type Req, type Route } from './http-kit.js'
import {
  authorEditPage,
  authorPage,
  bookEditPage,
  bookPage,
  indexPage,
  type Footer,
} from './pages.js'
import { ResourceInvalid, ResourceNotFound, type Attributes, type Resource } from './resource.js'

export interface WebappDeps {
  /** AUTHORS_SITE. */
  readonly authors: Resource
  /** BOOKS_SITE. */
  readonly books: Resource
  readonly footer: Footer
}

const FLASH = 'booksapp_flash'

/**
 * Sinatra's redirect: 303 after a non-GET on HTTP/1.1, else 302, to an absolute URL built from
 * the Host the client used. The optional message travels in a cookie (Sinatra's flash).
 */
export function redirect(req: Req, path: string, flash?: string): Reply {
  const host = req.headers.host
  const headers: Record<string, string> = {
    location: host === undefined ? path : `http://${host}${path}`,
  }
  if (flash !== undefined)
    headers['set-cookie'] = `${FLASH}=${encodeURIComponent(flash)}; Path=/; HttpOnly; SameSite=Lax`
  return { status: req.method === 'GET' || req.method === 'HEAD' ? 302 : 303, headers, body: '' }
}

function readFlash(req: Req): string | undefined {
  const cookie = req.headers.cookie ?? ''
  const m = new RegExp(`(?:^|;\\s*)${FLASH}=([^;]*)`).exec(cookie)
  if (m?.[1] === undefined || m[1] === '') return undefined
  try {
    return decodeURIComponent(m[1])
  } catch {
    return undefined
  }
}

/** `{"first_name":["can't be blank"]}` → `First name can't be blank`. */
export function describeErrors(errors: Record<string, string[]>): string {
  const lines = Object.entries(errors).flatMap(([column, messages]) => {
    const label = column.replace(/_id$/, '').replace(/_/g, ' ')
    return (Array.isArray(messages) ? messages : [String(messages)]).map(
      (m) => `${label.charAt(0).toUpperCase()}${label.slice(1)} ${m}`,
    )
  })
  return lines.length === 0 ? 'Invalid' : lines.join(', ')
}

function form(req: Req): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(req.body))
}

/** Only the fields the form sent: an edit keeps what it does not mention. */
function pick(fields: Record<string, string>, names: readonly string[]): Attributes {
  return Object.fromEntries(names.filter((n) => n in fields).map((n) => [n, fields[n]]))
}

export function webappRoutes(d: WebappDeps): Route[] {
  const { authors, books, footer } = d
  // booksapp rescues only ResourceNotFound: flash "Not found" and go home.
  const rescue =
    (h: (req: Req) => Promise<Reply>) =>
    async (req: Req): Promise<Reply> => {
      try {
        return await h(req)
      } catch (err) {
        if (err instanceof ResourceNotFound) return redirect(req, '/', 'Not found')
        throw err
      }
    }
  const id = (req: Req): string => req.params[0] ?? ''
  const withFlashCleared = (req: Req, body: string): Reply => {
    const flash = readFlash(req)
    return html(
      200,
      body,
      flash === undefined ? {} : { 'set-cookie': `${FLASH}=; Path=/; Max-Age=0` },
    )
  }

  return [
    pong,
    {
      method: 'GET',
      pattern: /^\/$/,
      handler: rescue(async (req) => {
        const [bs, as] = await Promise.all([
          books.list({ order: 'lower(title)' }),
          authors.list({ order: 'lower(last_name)' }),
        ])
        return withFlashCleared(req, indexPage(bs, as, footer, readFlash(req)))
      }),
    },
    {
      method: 'GET',
      pattern: /^\/reset$/,
      // The traffic generator's clean slate: delete every author it may have left behind.
      handler: rescue(async () => {
        for (const a of await authors.list({ last_name: 'Cline' })) {
          try {
            await authors.destroy(String(a['id']))
          } catch (err) {
            if (!(err instanceof ResourceNotFound)) throw err
          }
        }
        return { status: 204 }
      }),
    },
    {
      method: 'POST',
      pattern: /^\/authors$/,
      handler: rescue(async (req) => {
        try {
          const newId = await authors.create(pick(form(req), ['first_name', 'last_name']))
          return redirect(req, `/authors/${newId}`)
        } catch (err) {
          if (err instanceof ResourceInvalid) return redirect(req, '/', describeErrors(err.errors))
          throw err
        }
      }),
    },
    {
      method: 'GET',
      pattern: /^\/authors\/([^/]+)$/,
      handler: rescue(async (req) => {
        const [author, bs] = await Promise.all([
          authors.find(id(req)),
          books.list({ author_id: id(req), order: 'lower(title)' }),
        ])
        return html(200, authorPage(author, bs, footer))
      }),
    },
    {
      method: 'GET',
      pattern: /^\/authors\/([^/]+)\/edit$/,
      handler: rescue(async (req) =>
        withFlashCleared(req, authorEditPage(await authors.find(id(req)), footer, readFlash(req))),
      ),
    },
    {
      method: 'POST',
      pattern: /^\/authors\/([^/]+)\/edit$/,
      handler: rescue(async (req) => {
        await authors.find(id(req))
        try {
          await authors.update(id(req), pick(form(req), ['first_name', 'last_name']))
        } catch (err) {
          if (err instanceof ResourceInvalid)
            return redirect(req, `/authors/${id(req)}/edit`, describeErrors(err.errors))
          throw err
        }
        return redirect(req, `/authors/${id(req)}`)
      }),
    },
    {
      method: 'POST',
      pattern: /^\/authors\/([^/]+)\/delete$/,
      handler: rescue(async (req) => {
        await authors.destroy(id(req))
        return redirect(req, '/')
      }),
    },
    {
      method: 'POST',
      pattern: /^\/books$/,
      handler: rescue(async (req) => {
        try {
          const newId = await books.create(pick(form(req), ['title', 'author_id', 'pages']))
          return redirect(req, `/books/${newId}`)
        } catch (err) {
          if (err instanceof ResourceInvalid) return redirect(req, '/', describeErrors(err.errors))
          throw err
        }
      }),
    },
    {
      method: 'GET',
      pattern: /^\/books\/([^/]+)$/,
      handler: rescue(async (req) => {
        const book = await books.find(id(req))
        const author = await authors.find(String(book['author_id']))
        return html(200, bookPage(book, author, footer))
      }),
    },
    {
      method: 'GET',
      pattern: /^\/books\/([^/]+)\/edit$/,
      handler: rescue(async (req) => {
        const [book, as] = await Promise.all([
          books.find(id(req)),
          authors.list({ order: 'lower(last_name)' }),
        ])
        return withFlashCleared(req, bookEditPage(book, as, footer, readFlash(req)))
      }),
    },
    {
      method: 'POST',
      pattern: /^\/books\/([^/]+)\/edit$/,
      handler: rescue(async (req) => {
        await books.find(id(req))
        try {
          await books.update(id(req), pick(form(req), ['title', 'author_id', 'pages']))
        } catch (err) {
          if (err instanceof ResourceInvalid)
            return redirect(req, `/books/${id(req)}/edit`, describeErrors(err.errors))
          throw err
        }
        return redirect(req, `/books/${id(req)}`)
      }),
    },
    {
      method: 'POST',
      pattern: /^\/books\/([^/]+)\/delete$/,
      handler: rescue(async (req) => {
        await books.destroy(id(req))
        return redirect(req, '/')
      }),
    },
  ]
}
