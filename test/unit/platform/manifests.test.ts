import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile, readFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ManifestLoader } from '../../../src/platform/local/manifests.js'
import { applyManifest, setImage } from '../../../src/platform/local/edit.js'

const deployment = (name: string, image: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: ${name}   # the app
        image: ${image}
`

describe('local manifests directory', () => {
  let dir = ''
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fledge-manifests-'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  it('reads every kind at the top level only, with catalog paths resolved', async () => {
    await writeFile(
      join(dir, 'apps.yaml'),
      `${deployment('books', 'booksapp:v1')}---
apiVersion: v1
kind: Service
metadata: {name: books}
spec: {selector: {app: books}, ports: [{port: 7002}]}
`,
    )
    await writeFile(
      join(dir, 'catalog.yml'),
      `apiVersion: fledge.dev/v1beta1
kind: ImageCatalog
metadata: {name: c}
spec:
  images:
  - {image: booksapp:v1, node: services/app.ts}
`,
    )
    await mkdir(join(dir, 'scenarios'))
    await writeFile(join(dir, 'scenarios', 'other.yaml'), deployment('ignored', 'x:v1'))
    await writeFile(join(dir, 'notes.txt'), 'not a manifest')
    const set = await new ManifestLoader(dir).load()
    assert.deepEqual([...set.deployments.keys()], ['default/books'])
    assert.deepEqual([...set.services.keys()], ['default/books'])
    assert.equal(set.images.get('booksapp:v1')?.baseDir, dir)
    assert.deepEqual(set.problems, [])
  })

  it('reports a broken file with its line and keeps its last good version', async () => {
    const loader = new ManifestLoader(dir)
    await loader.load()
    await writeFile(
      join(dir, 'apps.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: books\n',
    )
    const set = await loader.load()
    assert.ok(set.deployments.has('default/books'), 'the last good version stays')
    assert.match(set.problems[0]?.message ?? '', /invalid YAML/)
    assert.equal(set.problems[0]?.file, 'apps.yaml')
    assert.ok(set.problems.some((p) => p.message === 'keeping the last good version of this file'))
  })

  it('reports an invalid document with the field path and keeps the others', async () => {
    await writeFile(
      join(dir, 'apps.yaml'),
      `${deployment('books', 'booksapp:v1')}---
apiVersion: fledge.dev/v1beta1
kind: Canary
metadata: {name: books}
spec:
  targetRef: {kind: Deployment, name: books}
  service: {port: 7002}
  analysis: {interval: 10s, threshold: 2, stepWeigth: 10}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: authors}
spec: {template: {spec: {containers: []}}}
`,
    )
    const set = await new ManifestLoader(dir).load()
    assert.ok(set.deployments.has('default/books'))
    assert.ok(
      set.canaries.has('default/books'),
      'an invalid Canary is kept for the engine to report',
    )
    const messages = set.problems.map((p) => `${p.object ?? ''}: ${p.message}`)
    assert.ok(
      messages.some((m) => m.startsWith('Canary/books: spec.analysis: unknown field "stepWeigth"')),
      messages.join('\n'),
    )
    assert.ok(
      messages.some((m) => m.startsWith('Deployment/authors: spec.template.spec.containers')),
      messages.join('\n'),
    )
  })

  it('sets an image in place, keeping comments and the other documents', async () => {
    const file = join(dir, 'apps.yaml')
    await writeFile(
      file,
      `${deployment('authors', 'booksapp:v1')}---\n${deployment('books', 'booksapp:v1')}`,
    )
    const changed = await setImage(
      file,
      { name: 'books', namespace: 'default' },
      'books',
      'booksapp:v2',
    )
    assert.deepEqual(changed, { file, previous: 'booksapp:v1' })
    const text = await readFile(file, 'utf8')
    assert.match(text, /name: books {3}# the app\n {8}image: booksapp:v2/)
    assert.equal((text.match(/image: booksapp:v1/g) ?? []).length, 1, 'authors untouched')
    assert.equal(
      await setImage(file, { name: 'books', namespace: 'default' }, 'books', 'booksapp:v2'),
      undefined,
    )
    await assert.rejects(
      setImage(file, { name: 'books', namespace: 'default' }, 'nope', 'x'),
      /has no container "nope" \(it has: books\)/,
    )
    await assert.rejects(
      setImage(file, { name: 'web', namespace: 'default' }, 'web', 'x'),
      /deployment\/web is not declared/,
    )
  })

  it('applies only valid manifest files', async () => {
    const written = await applyManifest(dir, 'extra.yaml', deployment('web', 'booksapp:v1'))
    assert.equal(written, join(dir, 'extra.yaml'))
    await assert.rejects(
      applyManifest(
        dir,
        'split.yaml',
        'apiVersion: split.smi-spec.io/v1alpha2\nkind: TrafficSplit\nmetadata: {name: s}\nspec: {service: a, backends: [{service: b, weight: 900m}]}\n',
      ),
      /spec\.backends\[0\]\.weight/,
    )
    await assert.rejects(applyManifest(dir, 'x.json', '{}'), /must end in \.yaml/)
    await assert.rejects(applyManifest(dir, 'e.yaml', ''), /empty/)
  })
})
