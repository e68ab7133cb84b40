/**
 * An in-memory table with the bits of ActiveRecord booksapp relies on: auto-increment ids,
 * timestamps, `where(params ∩ columns)` and `order(...)`. Each replica holds its own copy, as
 * each booksapp pod holds its own SQLite file.
 */

export type Value = string | number
/** A stored row: an `id` and columns holding text or numbers. */
export interface Row {
  readonly id: number
}

const cell = (row: Row, column: string): Value | undefined =>
  (row as unknown as Record<string, Value | undefined>)[column]

export class Table<T extends Row> {
  private readonly rows = new Map<number, T>()
  private nextId = 1
  /** Column names, `id` and the timestamps included. */
  readonly columns: readonly string[]
  private readonly now: () => Date

  constructor(columns: readonly string[], now: () => Date = () => new Date()) {
    this.columns = columns
    this.now = now
  }

  insert(attrs: Omit<T, 'id' | 'created_at' | 'updated_at'>): T {
    const stamp = this.now().toISOString()
    const row = {
      id: this.nextId++,
      ...attrs,
      created_at: stamp,
      updated_at: stamp,
    } as unknown as T
    this.rows.set(row.id, row)
    return row
  }

  find(id: number): T | undefined {
    return this.rows.get(id)
  }

  update(id: number, attrs: Partial<T>): T | undefined {
    const old = this.rows.get(id)
    if (old === undefined) return undefined
    const row = { ...old, ...attrs, id, updated_at: this.now().toISOString() }
    this.rows.set(id, row)
    return row
  }

  delete(id: number): boolean {
    return this.rows.delete(id)
  }

  all(): T[] {
    return [...this.rows.values()]
  }

  /**
   * `GET /x.json?…`: query parameters naming a column filter by equality (compared as text, as
   * SQL would cast `?author_id=5`); `order` sorts. Other parameters are ignored.
   */
  query(params: URLSearchParams): T[] {
    let rows = this.all()
    for (const [key, value] of params) {
      if (key === 'order' || !this.columns.includes(key)) continue
      rows = rows.filter((r) => String(cell(r, key)) === value)
    }
    const order = params.get('order')
    if (order !== null && order.trim() !== '') rows.sort(this.comparator(order))
    return rows
  }

  /** Parses `col`, `lower(col)`, each optionally `asc|desc`, comma separated. */
  comparator(order: string): (a: T, b: T) => number {
    const keys = order.split(',').map((part) => {
      const m = /^\s*(lower\(\s*(\w+)\s*\)|(\w+))\s*(asc|desc)?\s*$/i.exec(part)
      const column = m?.[2] ?? m?.[3]
      if (m === null || column === undefined || !this.columns.includes(column)) {
        throw new Error(`invalid order ${JSON.stringify(order)}`)
      }
      const lower = m[2] !== undefined
      const sign = m[4]?.toLowerCase() === 'desc' ? -1 : 1
      return { column, lower, sign }
    })
    return (a, b) => {
      for (const k of keys) {
        const c = compareValues(cell(a, k.column), cell(b, k.column), k.lower)
        if (c !== 0) return c * k.sign
      }
      return a.id - b.id
    }
  }
}

function compareValues(a: Value | undefined, b: Value | undefined, lower: boolean): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  let x = String(a ?? '')
  let y = String(b ?? '')
  if (lower) {
    x = x.toLowerCase()
    y = y.toLowerCase()
  }
  return x < y ? -1 : x > y ? 1 : 0
}

/** ActiveRecord-style validation errors: column → messages. */
export type Errors = Record<string, string[]>

export function addError(errors: Errors, column: string, message: string): void {
  ;(errors[column] ??= []).push(message)
}

/** A blank-or-missing attribute, as `validates :x, presence: true` sees it. */
export function isBlank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '')
}

/** ActiveRecord's integer cast of `"345"`: leading digits, else 0; undefined when blank. */
export function toInteger(v: unknown): number | undefined {
  if (isBlank(v)) return undefined
  if (typeof v === 'number') return Math.trunc(v)
  const m = /^\s*([+-]?\d+)/.exec(String(v))
  return m?.[1] === undefined ? 0 : Number(m[1])
}
