import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { request } from 'undici'
import { LocalRun } from '../helpers/local-run.js'

const AUTHORS_CANARY = `apiVersion: fledge.dev/v1beta1
kind: Canary
metadata:
  name: authors
spec:
  provider: fledge
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: authors}
  progressDeadlineSeconds: 60
  service: {port: 7001}
  analysis:
    interval: 1s
    threshold: 2
    maxWeight: 30
    stepWeight: 15
    metrics:
      - {name: request-success-rate, thresholdRange: {min: 99}, interval: 5s}
`

describe('local mode: a manifest with a typo', { timeout: 300_000 }, () => {
  let run: LocalRun
  after(() => run.stop())

  it('is reported with file and field, and the other Canaries keep progressing', async () => {
    run = await LocalRun.create(1_000)
    await writeFile(join(run.dir, 'authors-canary.yaml'), AUTHORS_CANARY)
    await run.start()
    await run.until('both Canaries initialized', async () => {
      const [a, b] = await Promise.all([run.canary('authors'), run.canary('books')])
      return a.phase === 'Initialized' && b.phase === 'Initialized'
    })
    const booksFile = join(run.dir, 'books-canary.yaml')
    await writeFile(
      booksFile,
      (await readFile(booksFile, 'utf8')).replace('stepWeight: 10', 'stepWeigth: 10'),
    )
    await writeFile(
      join(run.dir, 'broken.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata: {name: x\n',
    )

    await run.setImage('authors', 'booksapp:v2')
    let last = ''
    await run
      .until(
        'authors promoted',
        async () => {
          const v = await run.canary('authors')
          last = `${v.phase} ${v.weight}% failed ${v.failedChecks} pending ${v.pending}: ${v.message}`
          return v.phase === 'Succeeded' && !v.pending
        },
        90_000,
      )
      .catch((err: unknown) => {
        throw new Error(`${String(err)}\nlast authors view: ${last}`)
      })

    const books = await run.canary('books')
    assert.match(books.invalid ?? '', /spec\.analysis: unknown field "stepWeigth"/)
    assert.equal(books.phase, 'Initialized', 'the broken Canary holds where it was')
    const problems = (
      (await run.get('/api/v1/problems')) as {
        items: { file: string; line?: number; object?: string; message: string }[]
      }
    ).items
    assert.ok(
      problems.some(
        (p) =>
          p.file === 'books-canary.yaml' &&
          p.object === 'Canary/books' &&
          p.message.includes('stepWeigth'),
      ),
      JSON.stringify(problems),
    )
    assert.ok(
      problems.some(
        (p) => p.file === 'broken.yaml' && p.line === 1 && p.message.startsWith('invalid YAML'),
      ),
      JSON.stringify(problems),
    )
    // books still serves, through the proxy.
    const res = await request(`http://${run.proxy}/books.json`, { headers: { host: 'books:7002' } })
    assert.equal(res.statusCode, 200)
    await res.body.dump()
  })
})
