/**
 * booksapp's JSON resource routes (authors.rb and books.rb are the same shape):
 * list with filters and order, show, create (201 + Location), update (only permitted columns),
 * destroy (204), validation failures as 422 with the errors as JSON.
 */
import { json, text, type Reply, type Route } from './http-kit.js'
import type { Errors, Row, Table } from './table.js'

export interface RestOptions<T extends Row> {
  /** `authors` or `books`: paths are `/<collection>.json` and `/<collection>/:id.json`. */
  readonly collection: string
  readonly table: Table<T>
  /** Columns a POST or PUT may set. */
  readonly permit: readonly string[]
  /** Casts the submitted attributes to column values. */
  readonly cast: (attrs: Record<string, unknown>) => Partial<T>
  /** Validates the would-be row (`id` is undefined on create); may call other services. */
  readonly validate: (row: Partial<T>, id: number | undefined) => Promise<Errors>
  /** Runs before a row is removed (authors delete their books); throwing aborts with 500. */
  readonly beforeDestroy?: (row: T) => Promise<void>
}

export function restRoutes<T extends Row>(o: RestOptions<T>): Route[] {
  const c = o.collection
  const member = new RegExp(`^/${c}/([^/]+)\\.json$`)
  const location = (id: number): Record<string, string> => ({ location: `/${c}/${id}.json` })
  const find = (raw: string): T | undefined =>
    /^\d+$/.test(raw) ? o.table.find(Number(raw)) : undefined
  const notFound = (): Reply => text(404, 'Not Found')

  const permitted = (body: string): Partial<T> | Reply => {
    let parsed: unknown
    try {
      parsed = JSON.parse(body)
    } catch {
      return text(400, 'request body is not JSON')
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return text(400, 'request body must be a JSON object')
    }
    const attrs: Record<string, unknown> = {}
    for (const key of o.permit) {
      if (key in parsed) attrs[key] = (parsed as Record<string, unknown>)[key]
    }
    return o.cast(attrs)
  }
  const isReply = (v: unknown): v is Reply => typeof v === 'object' && v !== null && 'status' in v

  return [
    {
      method: 'GET',
      pattern: new RegExp(`^/${c}\\.json$`),
      handler: (req) => json(200, o.table.query(req.query)),
    },
    {
      method: 'GET',
      pattern: member,
      handler: (req) => {
        const row = find(req.params[0] ?? '')
        return row === undefined ? notFound() : json(200, row)
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/${c}\\.json$`),
      handler: async (req) => {
        const attrs = permitted(req.body)
        if (isReply(attrs)) return attrs
        const errors = await o.validate(attrs, undefined)
        if (Object.keys(errors).length > 0) return json(422, errors)
        const row = o.table.insert(attrs as Omit<T, 'id' | 'created_at' | 'updated_at'>)
        return json(201, row, location(row.id))
      },
    },
    {
      method: 'PUT',
      pattern: member,
      handler: async (req) => {
        const row = find(req.params[0] ?? '')
        if (row === undefined) return notFound()
        const attrs = permitted(req.body)
        if (isReply(attrs)) return attrs
        const errors = await o.validate({ ...row, ...attrs }, row.id)
        if (Object.keys(errors).length > 0) return json(422, errors)
        return json(200, o.table.update(row.id, attrs), location(row.id))
      },
    },
    {
      method: 'DELETE',
      pattern: member,
      handler: async (req) => {
        const row = find(req.params[0] ?? '')
        if (row === undefined) return notFound()
        await o.beforeDestroy?.(row)
        o.table.delete(row.id)
        return { status: 204 }
      },
    },
  ]
}
