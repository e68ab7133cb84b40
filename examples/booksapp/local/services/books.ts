/** The books service (booksapp books.rb): books as JSON; saving one checks its author with HEAD. */
import type { Route } from './http-kit.js'
import type { Resource } from './resource.js'
import { restRoutes } from './rest.js'
import { seedBooks } from './seeds.js'
import { addError, isBlank, Table, toInteger, type Errors } from './table.js'

export interface Book {
  readonly id: number
  readonly title: string
  readonly pages: number
  readonly author_id: number
  readonly created_at: string
  readonly updated_at: string
}

export function createBooksTable(seed = true): Table<Book> {
  const table = new Table<Book>(['id', 'title', 'pages', 'author_id', 'created_at', 'updated_at'])
  if (seed) for (const b of seedBooks()) table.insert(b)
  return table
}

/** `authors` is the authors service (AUTHORS_SITE), asked `HEAD /authors/:id.json` on every save. */
export function booksRoutes(table: Table<Book>, authors: Resource): Route[] {
  return restRoutes<Book>({
    collection: 'books',
    table,
    permit: ['title', 'author_id', 'pages'],
    cast: (attrs) => {
      const out: { title?: string; pages?: number; author_id?: number } = {}
      if (attrs['title'] !== undefined)
        out.title = typeof attrs['title'] === 'string' ? attrs['title'] : ''
      const pages = toInteger(attrs['pages'])
      if (pages !== undefined) out.pages = pages
      const authorId = toInteger(attrs['author_id'])
      if (authorId !== undefined) out.author_id = authorId
      return out
    },
    validate: async (row) => {
      const errors: Errors = {}
      if (isBlank(row.title)) addError(errors, 'title', "can't be blank")
      if (row.pages === undefined) addError(errors, 'pages', "can't be blank")
      else if (row.pages <= 0) addError(errors, 'pages', 'must be greater than 0')
      if (row.author_id === undefined) addError(errors, 'author_id', "can't be blank")
      // Book#author_exists → Author.exists?(id) → HEAD on the authors service. A 404 is a
      // validation error; a 503 (FAILURE_RATE) or no answer throws, and the save answers 500.
      else if (!(await authors.exists(row.author_id)))
        addError(errors, 'author_id', 'does not exist')
      return errors
    },
  })
}
