import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { parseDiscoFile } from '../../../src/proxy/disco.js'

describe('discovery files', () => {
  it('parses IP PORT lines with optional weights, comments and blank lines', () => {
    const r = parseDiscoFile(
      '# books\n192.0.2.220 8080\n\n192.0.2.210 8080 * 2.0\n127.1 9990  # short form\n::1 7000\n',
    )
    assert.deepEqual(r.issues, [])
    assert.deepEqual(r.endpoints, [
      { ip: '192.0.2.220', port: 8080, weight: 1 },
      { ip: '192.0.2.210', port: 8080, weight: 2 },
      { ip: '127.0.0.1', port: 9990, weight: 1 },
      { ip: '::1', port: 7000, weight: 1 },
    ])
  })

  it('reports every bad line by its number', () => {
    const r = parseDiscoFile(
      [
        '10.0.0.1 80',
        'books 80',
        '10.0.0.2',
        '10.0.0.3 99999',
        '10.0.0.4 80 * 0',
        '10.0.0.5 80 x 2',
        '10.0.0.1 80',
        '10.0.0.6 81 * 3 extra',
      ].join('\n'),
    )
    assert.deepEqual(r.endpoints, [{ ip: '10.0.0.1', port: 80, weight: 1 }])
    assert.deepEqual(
      r.issues.map((i) => i.line),
      [2, 3, 4, 5, 6, 7, 8],
    )
    assert.match(r.issues[0]?.message ?? '', /invalid IP address "books"/)
    assert.match(r.issues[2]?.message ?? '', /invalid port "99999"/)
    assert.match(r.issues[5]?.message ?? '', /duplicate endpoint 10.0.0.1:80/)
  })
})
