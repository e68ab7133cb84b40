/** The authors service (booksapp authors.rb): authors as JSON; deleting one deletes its books. */
import type { Route } from './http-kit.js'
import { ResourceNotFound, type Resource } from './resource.js'
import { restRoutes } from './rest.js'
import { seedAuthors } from './seeds.js'
import { addError, isBlank, Table, type Errors } from './table.js'

export interface Author {
  readonly id: number
  readonly first_name: string
  readonly last_name: string
  readonly created_at: string
  readonly updated_at: string
}

export function createAuthorsTable(seed = true): Table<Author> {
  const table = new Table<Author>(['id', 'first_name', 'last_name', 'created_at', 'updated_at'])
  if (seed) for (const a of seedAuthors()) table.insert(a)
  return table
}

/** `books` is the books service (BOOKS_SITE), called when an author is deleted. */
export function authorsRoutes(table: Table<Author>, books: Resource): Route[] {
  return restRoutes<Author>({
    collection: 'authors',
    table,
    permit: ['first_name', 'last_name'],
    cast: (attrs) => {
      const out: Partial<Record<'first_name' | 'last_name', string>> = {}
      if (attrs['first_name'] !== undefined) out.first_name = stringOf(attrs['first_name'])
      if (attrs['last_name'] !== undefined) out.last_name = stringOf(attrs['last_name'])
      return out
    },
    validate: (row, id) => {
      const errors: Errors = {}
      if (isBlank(row.first_name)) addError(errors, 'first_name', "can't be blank")
      if (isBlank(row.last_name)) addError(errors, 'last_name', "can't be blank")
      const twin = table
        .all()
        .find(
          (a) => a.id !== id && a.first_name === row.first_name && a.last_name === row.last_name,
        )
      if (twin !== undefined) addError(errors, 'first_name', 'and last name are not unique')
      return Promise.resolve(errors)
    },
    // booksapp's before_destroy: list the author's books on the books service, delete each.
    beforeDestroy: async (author) => {
      for (const book of await books.list({ author_id: String(author.id) })) {
        try {
          await books.destroy(String(book['id']))
        } catch (err) {
          // Already gone (another replica got there first) is what we wanted anyway.
          if (!(err instanceof ResourceNotFound)) throw err
        }
      }
    },
  })
}

function stringOf(v: unknown): string {
  return typeof v === 'string' ? v : v === null ? '' : JSON.stringify(v)
}
