/**
 * A client for the authors and books JSON APIs with ActiveResource's error rules, which decide
 * booksapp's behaviour: 404/410 is ResourceNotFound, 422 is ResourceInvalid, anything else that
 * is not 2xx (or no answer at all) is an error the caller does not rescue.
 */
import { TransportError, type HttpClient, type HttpResponse } from './client.js'

export type Attributes = Record<string, unknown>

export class ResourceNotFound extends Error {
  override readonly name = 'ResourceNotFound'
}

export class ResourceInvalid extends Error {
  override readonly name = 'ResourceInvalid'
  /** Column → messages, as the service answered. */
  readonly errors: Record<string, string[]>
  constructor(message: string, errors: Record<string, string[]>) {
    super(message)
    this.errors = errors
  }
}

/** A downstream 5xx, unexpected 4xx or transport failure. */
export class ResourceError extends Error {
  override readonly name = 'ResourceError'
  /** The downstream status, or undefined when it never answered. */
  readonly status: number | undefined
  constructor(message: string, status: number | undefined) {
    super(message)
    this.status = status
  }
}

export interface Resource {
  list(params?: Record<string, string>): Promise<Attributes[]>
  find(id: string | number): Promise<Attributes>
  /** HEAD on the member: true on 2xx, false on 404/410, throws otherwise. */
  exists(id: string | number): Promise<boolean>
  /** Returns the new id, read from the Location header as ActiveResource does. */
  create(attrs: Attributes): Promise<number>
  update(id: string | number, attrs: Attributes): Promise<void>
  destroy(id: string | number): Promise<void>
}

/** `site` is e.g. `http://authors:7001`; `collection` is `authors` or `books`. */
export function createResource(http: HttpClient, site: string, collection: string): Resource {
  const base = site.replace(/\/+$/, '')
  const member = (id: string | number): string =>
    `${base}/${collection}/${encodeURIComponent(String(id))}.json`
  const send = async (method: string, url: string, body?: Attributes): Promise<HttpResponse> => {
    let res: HttpResponse
    try {
      res = await http.request(
        method,
        url,
        body === undefined
          ? { headers: { accept: 'application/json' } }
          : {
              body: JSON.stringify(body),
              headers: { accept: 'application/json', 'content-type': 'application/json' },
            },
      )
    } catch (err) {
      if (err instanceof TransportError) throw new ResourceError(err.message, undefined)
      throw err
    }
    if (res.status >= 200 && res.status < 300) return res
    if (res.status === 404 || res.status === 410)
      throw new ResourceNotFound(`${method} ${url}: ${res.status}`)
    if (res.status === 422)
      throw new ResourceInvalid(`${method} ${url}: 422`, parseErrors(res.body))
    throw new ResourceError(`${method} ${url}: ${res.status}`, res.status)
  }
  return {
    async list(params = {}) {
      const qs = new URLSearchParams(params).toString()
      const res = await send('GET', `${base}/${collection}.json${qs === '' ? '' : `?${qs}`}`)
      return parseJson(res.body, 'list') as Attributes[]
    },
    async find(id) {
      return parseJson((await send('GET', member(id))).body, 'find') as Attributes
    },
    async exists(id) {
      try {
        await send('HEAD', member(id))
        return true
      } catch (err) {
        if (err instanceof ResourceNotFound) return false
        throw err
      }
    },
    async create(attrs) {
      const res = await send('POST', `${base}/${collection}.json`, attrs)
      const location = res.headers.location ?? ''
      const id = /\/(\d+)(?:\.json)?$/.exec(location)?.[1]
      if (id === undefined)
        throw new ResourceError(
          `POST ${collection}: no id in Location ${JSON.stringify(location)}`,
          res.status,
        )
      return Number(id)
    },
    async update(id, attrs) {
      await send('PUT', member(id), attrs)
    },
    async destroy(id) {
      await send('DELETE', member(id))
    },
  }
}

function parseJson(body: string, what: string): unknown {
  try {
    return JSON.parse(body)
  } catch {
    throw new ResourceError(`${what}: response is not JSON`, undefined)
  }
}

function parseErrors(body: string): Record<string, string[]> {
  try {
    const value = JSON.parse(body) as unknown
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, string[]>
    }
  } catch {
    // fall through: an unreadable error body still means "invalid"
  }
  return {}
}
