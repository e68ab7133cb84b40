import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { loadSources } from '../../../src/proxy/sources.js'
import { tempDir } from './helpers.js'

describe('proxy file sources', () => {
  it('reads TrafficSplits of every version from a directory, skipping other kinds', async () => {
    const dir = tempDir('sources')
    try {
      dir.write('disco/books', '10.0.0.1 7002\n')
      dir.write('disco/.hidden', 'garbage\n')
      dir.write(
        'splits/a.yaml',
        `apiVersion: apps/v1
kind: Deployment
metadata: {name: books}
---
apiVersion: split.smi-spec.io/v1alpha1
kind: TrafficSplit
metadata: {name: one}
spec:
  service: books
  backends: [{service: books, weight: "1"}, {service: books-v2, weight: 500m}]
`,
      )
      dir.write(
        'splits/b.json',
        JSON.stringify({
          apiVersion: 'split.smi-spec.io/v1alpha4',
          kind: 'TrafficSplit',
          metadata: { name: 'two' },
          spec: {
            service: 'authors',
            backends: [
              { service: 'authors', weight: 90 },
              { service: 'authors-v2', weight: 10 },
            ],
          },
        }),
      )
      dir.write('splits/notes.txt', 'not YAML')
      const r = await loadSources({ disco: `${dir.path}/disco`, splits: `${dir.path}/splits` })
      assert.deepEqual(r.issues, [])
      assert.deepEqual(
        r.input.services.map((s) => s.name),
        ['books'],
      )
      assert.deepEqual(
        r.input.splits.map((s) => [s.name, s.service, s.backends.map((b) => b.weight)]),
        [
          ['one', 'books', [667, 333]],
          ['two', 'authors', [900, 100]],
        ],
      )
    } finally {
      dir.remove()
    }
  })

  it('reports bad file names, YAML errors and missing paths with the file', async () => {
    const dir = tempDir('sources-bad')
    try {
      dir.write('disco/Books', '10.0.0.1 7002\n')
      dir.write('splits.yaml', 'kind: TrafficSplit\n  bad: [indent\n')
      const r = await loadSources({
        disco: `${dir.path}/disco`,
        splits: `${dir.path}/splits.yaml`,
        config: `${dir.path}/missing.yaml`,
      })
      const byFile = r.issues.map((i) => [i.file.slice(dir.path.length + 1), i.message])
      const files = [...new Set(byFile.map(([f]) => f))]
      assert.deepEqual(
        files,
        ['disco/Books', 'splits.yaml', 'missing.yaml'],
        JSON.stringify(byFile),
      )
      assert.ok(
        byFile.some(
          ([f, m]) => f === 'disco/Books' && (m ?? '').includes('not a valid service name'),
        ),
      )
      assert.ok(
        byFile.some(([f, m]) => f === 'splits.yaml' && (m ?? '').startsWith('invalid YAML')),
      )
      assert.ok(byFile.some(([f, m]) => f === 'missing.yaml' && m === 'cannot read (ENOENT)'))
    } finally {
      dir.remove()
    }
  })
})
