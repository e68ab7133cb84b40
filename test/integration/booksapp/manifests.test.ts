import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseYamlDocuments } from '../../../src/api/documents.js'
import { validateCommand } from '../../../src/cli/validate.js'
import { ROLES } from '../../../examples/booksapp/local/services/roles.js'
import { call, startService, type ServiceProcess } from './processes.js'

const DIR = fileURLToPath(new URL('../../../examples/booksapp/local/', import.meta.url))

interface Obj {
  kind: string
  metadata: { name: string }
  spec: Record<string, unknown> & {
    template?: { spec: { containers: Container[] } }
    ports?: { port: number }[]
    images?: CatalogEntry[]
  }
}
interface Container {
  name: string
  image: string
  args?: string[]
  env?: { name: string; value: string }[]
  readinessProbe?: { httpGet?: { path: string } }
}
interface CatalogEntry {
  image: string
  node?: string
  fledge?: string[]
  command?: string[]
  env?: Record<string, string>
}

async function yamlFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(dir, f))
}

async function objects(files: string[]): Promise<Obj[]> {
  const out: Obj[] = []
  for (const f of files) {
    for (const doc of parseYamlDocuments(await readFile(f, 'utf8'))) {
      assert.deepEqual(doc.errors, [], f)
      out.push(doc.value as Obj)
    }
  }
  return out
}

describe('booksapp local manifests', () => {
  let top: Obj[]
  const named = (kind: string, name: string): Obj => {
    const o = top.find((x) => x.kind === kind && x.metadata.name === name)
    assert.ok(o, `${kind} ${name} is missing`)
    return o
  }
  const container = (name: string): Container => {
    const c = named('Deployment', name).spec.template?.spec.containers[0]
    assert.ok(c)
    return c
  }
  before(async () => {
    top = await objects(await yamlFiles(DIR))
  })

  it('every file passes fledge validate', async () => {
    const files = [...(await yamlFiles(DIR)), ...(await yamlFiles(join(DIR, 'scenarios')))]
    assert.ok(files.length >= 5)
    for (const file of files) {
      const lines: string[] = []
      const rc = await validateCommand.run(['-f', file], {
        out: (t) => lines.push(t),
        err: (t) => lines.push(t),
      })
      assert.equal(rc, 0, `${file}:\n${lines.join('\n')}`)
    }
  })

  it('the catalog has v1, a good v2, a broken v2 and the error-injector', () => {
    const images = named('ImageCatalog', 'booksapp').spec.images ?? []
    assert.deepEqual(
      images.map((e) => [e.image, e.node ?? e.fledge?.join(' '), e.env]),
      [
        ['booksapp:v1', 'services/booksapp.ts', { APP_VERSION: 'v1' }],
        ['booksapp:v2', 'services/booksapp.ts', { APP_VERSION: 'v2' }],
        [
          'booksapp:v2-broken',
          'services/booksapp.ts',
          { APP_VERSION: 'v2-broken', ERROR_RATE: '0.3' },
        ],
        [
          'error-injector:v1',
          'error-injector --listen 127.0.0.1:$(PORT) --status 500 --rate 1',
          undefined,
        ],
      ],
    )
  })

  it('every Deployment runs a catalogued image; booksapp roles and probes are right', async () => {
    const images = new Map(
      (named('ImageCatalog', 'booksapp').spec.images ?? []).map((e) => [e.image, e]),
    )
    for (const entry of images.values()) {
      if (entry.node !== undefined) assert.ok((await stat(join(DIR, entry.node))).isFile())
    }
    const deployments = top.filter((o) => o.kind === 'Deployment').map((d) => d.metadata.name)
    assert.deepEqual(deployments.sort(), [
      'authors',
      'books',
      'error-injector',
      'traffic',
      'webapp',
    ])
    for (const name of ['webapp', 'authors', 'books', 'traffic']) {
      const c = container(name)
      assert.equal(c.image, 'booksapp:v1')
      assert.equal(c.args?.[0], name)
      assert.ok((ROLES as readonly string[]).includes(name))
      assert.equal(c.readinessProbe?.httpGet?.path, '/ping')
    }
    assert.ok(images.has(container('error-injector').image))
    assert.deepEqual(container('traffic').args, ['traffic', 'webapp:7000'])
    // A healthy app answers everything: authors does not carry booksapp's FAILURE_RATE.
    assert.equal(
      container('authors').env?.find((e) => e.name === 'FAILURE_RATE'),
      undefined,
    )
    const env = (n: string): Record<string, string> =>
      Object.fromEntries((container(n).env ?? []).map((e) => [e.name, e.value]))
    assert.deepEqual(env('webapp'), {
      AUTHORS_SITE: 'http://authors:7001',
      BOOKS_SITE: 'http://books:7002',
    })
    assert.deepEqual(env('books'), { AUTHORS_SITE: 'http://authors:7001' })
    assert.deepEqual(env('authors'), { BOOKS_SITE: 'http://books:7002' })
  })

  it('Services carry booksapp ports; the Canary and the TrafficSplit point at them', async () => {
    const port = (name: string): number | undefined => named('Service', name).spec.ports?.[0]?.port
    assert.deepEqual(
      ['webapp', 'authors', 'books', 'error-injector'].map(port),
      [7000, 7001, 7002, 8080],
    )
    const canary = named('Canary', 'books').spec as {
      provider: string
      targetRef: { name: string }
      service: { port: number }
      analysis: { metrics: { name: string }[] }
    }
    assert.equal(canary.provider, 'fledge')
    assert.equal(canary.targetRef.name, 'books')
    assert.equal(canary.service.port, port('books'))
    assert.deepEqual(
      canary.analysis.metrics.map((m) => m.name),
      ['request-success-rate', 'request-duration'],
    )
    const [split] = await objects([join(DIR, 'scenarios', 'error-split.yaml')])
    const spec = split?.spec as { service: string; backends: { service: string; weight: string }[] }
    assert.equal(spec.service, 'books')
    assert.deepEqual(spec.backends, [
      { service: 'books', weight: '900m' },
      { service: 'error-injector', weight: '100m' },
    ])
  })

  it('services import only node built-ins and each other (the directory runs without node_modules)', async () => {
    const dir = join(DIR, 'services')
    for (const file of (await readdir(dir)).filter((f) => f.endsWith('.ts'))) {
      const text = await readFile(join(dir, file), 'utf8')
      for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/g)) {
        const spec = m[1] ?? ''
        assert.ok(
          spec.startsWith('node:') || /^\.\/[\w-]+\.js$/.test(spec),
          `${file} imports ${spec}`,
        )
      }
      assert.doesNotMatch(text, /\bimport\(|\brequire\(/, `${file} loads modules dynamically`)
    }
  })
})

describe('booksapp runs from a copy of the example directory', () => {
  let tmp: string
  let authors: ServiceProcess
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'fledge-booksapp-'))
    await cp(DIR, tmp, { recursive: true })
    authors = await startService('authors', {
      entry: join(tmp, 'services', 'booksapp.ts'),
      cwd: tmp,
      env: { APP_VERSION: 'copied' },
    })
  })
  after(async () => {
    await authors?.stop()
    await rm(tmp, { recursive: true, force: true })
  })

  it('starts and serves', async () => {
    const res = await call('GET', `${authors.url}/authors/1.json`)
    assert.equal(res.status, 200)
    assert.equal(res.headers['x-app-version'], 'copied')
  })
})
