import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  buildRouteTable,
  pickBackend,
  resolveService,
  hostOf,
  type SplitInput,
} from '../../../src/proxy/route-table.js'

const svc = (name: string, port = 80) => ({
  name,
  endpoints: [{ ip: '127.0.0.1', port, weight: 1 }],
})
const split = (a: number, b: number, name = 's'): SplitInput => ({
  name,
  service: 'books',
  backends: [
    { service: 'books', weight: a },
    { service: 'books-canary', weight: b },
  ],
})

describe('route table', () => {
  it('numbers generations per split: new is 1, unchanged keeps, changed bumps', () => {
    const t1 = buildRouteTable({
      services: [svc('books'), svc('books-canary')],
      splits: [split(1000, 0)],
    }).table
    assert.equal(t1.splits.get('books')?.generation, 1)
    const t2 = buildRouteTable(
      { services: [svc('books'), svc('books-canary', 81)], splits: [split(1000, 0)] },
      t1,
    ).table
    assert.equal(t2.splits.get('books')?.generation, 1)
    assert.equal(t2.version, t1.version + 1)
    const t3 = buildRouteTable({ services: [], splits: [split(900, 100)] }, t2).table
    assert.equal(t3.splits.get('books')?.generation, 2)
    // The old snapshot is untouched: a request holding it sees what it saw.
    assert.equal(t1.splits.get('books')?.backends[0]?.weight, 1000)
    assert.equal(t1.services.size, 2)
  })

  it('reports two splits over the same service', () => {
    const { issues } = buildRouteTable({
      services: [],
      splits: [split(1, 1, 'a'), split(1, 1, 'b')],
    })
    assert.equal(issues.length, 1)
    assert.match(issues[0]?.message ?? '', /already split by TrafficSplit a/)
  })

  it('resolves authorities with ports, case and Kubernetes suffixes', () => {
    const { table } = buildRouteTable({ services: [svc('books')], splits: [] })
    const cases: [string, string | undefined][] = [
      ['books', 'books'],
      ['books:7002', 'books'],
      ['BOOKS:7002', 'books'],
      ['books.booksapp.svc.cluster.local:7002', 'books'],
      ['books.booksapp.svc', 'books'],
      ['authors:7001', undefined],
      ['books.example.com', undefined],
      ['', undefined],
    ]
    for (const [authority, want] of cases)
      assert.equal(resolveService(table, authority), want, authority)
    assert.equal(hostOf('[::1]:80'), '::1')
  })

  it('splits exactly by weight over a uniform sweep', () => {
    const backends = split(900, 100).backends
    const counts = new Map<string, number>()
    for (let i = 0; i < 10_000; i++) {
      const b = pickBackend(backends, i / 10_000) ?? 'none'
      counts.set(b, (counts.get(b) ?? 0) + 1)
    }
    assert.equal(counts.get('books'), 9000)
    assert.equal(counts.get('books-canary'), 1000)
  })

  it('lands within one point of 10% with Math.random over 100,000 picks', () => {
    const backends = split(900, 100).backends
    let canary = 0
    for (let i = 0; i < 100_000; i++)
      if (pickBackend(backends, Math.random()) === 'books-canary') canary++
    assert.ok(Math.abs(canary / 100_000 - 0.1) < 0.01)
  })

  it('never picks a zero-weight backend and skips unavailable ones', () => {
    const backends = split(1000, 0).backends
    for (const r of [0, 0.5, 0.999999]) assert.equal(pickBackend(backends, r), 'books')
    const even = split(500, 500).backends
    for (const r of [0, 0.3, 0.7, 0.999])
      assert.equal(
        pickBackend(even, r, (s) => s !== 'books'),
        'books-canary',
      )
    assert.equal(
      pickBackend(even, 0.5, () => false),
      undefined,
    )
    assert.equal(pickBackend(split(0, 0).backends, 0.5), undefined)
  })
})
