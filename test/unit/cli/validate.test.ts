import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { main } from '../../../src/cli/main.js'
import type { Console } from '../../../src/cli/io.js'

const MANIFESTS = fileURLToPath(new URL('../../fixtures/manifests/', import.meta.url))
const VALID = join(MANIFESTS, 'valid')
const PROBLEMS = join(MANIFESTS, 'invalid', 'problems.yaml')

interface Run {
  code: number
  out: string[]
  err: string[]
}

/** Runs `fledge ARGS` in process, with a console that records what a user would see. */
async function fledge(...args: string[]): Promise<Run> {
  const out: string[] = []
  const err: string[] = []
  const io: Console = {
    out: (text) => out.push(...text.split('\n')),
    err: (text) => err.push(...text.split('\n')),
  }
  const code = await main(args, io)
  return { code, out, err }
}

const files = (...paths: string[]): string[] => paths.flatMap((p) => ['-f', p])

describe('fledge validate', () => {
  let tmp = ''
  const edge: Record<string, string> = {}

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'fledge-validate-'))
    const write = async (name: string, text: string): Promise<void> => {
      edge[name] = join(tmp, name)
      await writeFile(edge[name], text)
    }
    await write(
      'broken.yaml',
      'kind: Canary\nmetadata:\n  name: x\nspec:\n  targetRef: [Deployment\n',
    )
    await write('empty.yaml', '')
    await write('comments.yaml', '# nothing here\n---\n')
    await write('list.yaml', '- kind: Canary\n')
    await write('scalar.yaml', 'just some text\n')
    await write('nokind.yaml', 'apiVersion: fledge.dev/v1beta1\nmetadata:\n  name: x\n')
    await write('deployment.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n')
    edge['dir'] = join(tmp, 'a-directory')
    await mkdir(edge['dir'])
    edge['missing'] = join(tmp, 'does-not-exist.yaml')
  })
  after(async () => {
    await rm(tmp, { recursive: true, force: true })
  })

  const path = (name: string): string => {
    const p = edge[name]
    assert.ok(p, name)
    return p
  }

  it('exits 0 on valid files and counts what it checked', async () => {
    const r = await fledge(
      'validate',
      ...files(join(VALID, 'podinfo-linkerd.yaml'), join(VALID, 'alerts.yaml')),
    )
    assert.equal(r.code, 0)
    assert.deepEqual(r.out, ['8 resources valid in 2 files'])
    assert.deepEqual(r.err, [])
  })

  it('accepts every valid fixture in one run', async () => {
    const names = (await readdir(VALID)).filter((f) => f.endsWith('.yaml'))
    assert.ok(names.length >= 8)
    const r = await fledge('validate', ...files(...names.map((n) => join(VALID, n))))
    assert.equal(r.code, 0, r.out.join('\n'))
    assert.match(r.out.at(-1) ?? '', new RegExp(`^\\d+ resources valid in ${names.length} files$`))
  })

  it('prints one line per problem: file, document, kind/name, field, expected and found', async () => {
    const r = await fledge('validate', '-f', PROBLEMS)
    assert.equal(r.code, 1)
    assert.deepEqual(r.out, [
      `${PROBLEMS}: document 1 (line 17) Canary/frontend: spec.service.port: expected number; found "80"`,
      `${PROBLEMS}: document 1 (line 17) Canary/frontend: spec.analysis: unknown field "stepWeigth"`,
      `${PROBLEMS}: document 2 (line 32) MetricTemplate/latency: spec.query: expected string; found nothing (required)`,
      '3 problems found',
    ])
    assert.deepEqual(r.err, [])
  })

  it("accepts Flagger's flagger.app/v1beta1 as is", async () => {
    const r = await fledge('validate', '-f', join(VALID, 'ab-testing.yaml'))
    assert.equal(r.code, 0)
    assert.deepEqual(r.out, ['1 resource valid in 1 file'])
  })

  const clearErrors: [name: string, line: RegExp][] = [
    ['broken.yaml', /: document 0 \(line 1\): invalid YAML: .* at line \d+, column \d+$/],
    ['empty.yaml', /: file: empty: no YAML documents$/],
    ['comments.yaml', /: file: empty: no YAML documents$/],
    [
      'list.yaml',
      /: document 0 \(line 1\) document: expected a mapping with apiVersion and kind, found a list$/,
    ],
    [
      'scalar.yaml',
      /: document 0 \(line 1\) document: expected a mapping .*found string "just some text"$/,
    ],
    [
      'nokind.yaml',
      /: document 0 \(line 1\) unknown kind\/x: kind: expected a string, found nothing$/,
    ],
    ['dir', /: file: is a directory$/],
    ['missing', /: file: no such file$/],
  ]
  for (const [name, line] of clearErrors) {
    it(`says clearly what is wrong with ${name}, without a stack trace`, async () => {
      const file = path(name)
      const r = await fledge('validate', '-f', file)
      assert.equal(r.code, 1)
      assert.equal(r.out.length, 2, r.out.join('\n'))
      assert.ok(r.out[0]?.startsWith(`${file}: `), r.out[0])
      assert.match(r.out[0] ?? '', line)
      assert.equal(r.out[1], '1 problem found')
      assert.deepEqual(r.err, [])
      assert.ok(!r.out.some((l) => /^\s+at /.test(l)), 'no stack trace')
    })
  }

  it('goes on after a bad file and reports every file', async () => {
    const r = await fledge(
      'validate',
      ...files(path('missing'), join(VALID, 'blue-green.yaml'), path('broken.yaml'), PROBLEMS),
    )
    assert.equal(r.code, 1)
    assert.equal(r.out.filter((l) => l.startsWith(path('missing'))).length, 1)
    assert.equal(r.out.filter((l) => l.startsWith(path('broken.yaml'))).length, 1)
    assert.equal(r.out.filter((l) => l.startsWith(PROBLEMS)).length, 3)
    assert.equal(r.out.at(-1), '5 problems found')
  })

  it('skips kinds it does not manage without complaint', async () => {
    const r = await fledge('validate', '-f', path('deployment.yaml'))
    assert.equal(r.code, 0)
    assert.deepEqual(r.out, ['0 resources valid in 1 file'])
  })

  it('is a usage error (exit 2) without -f or with an unknown flag', async () => {
    const none = await fledge('validate')
    assert.equal(none.code, 2)
    assert.match(none.err.join('\n'), /fledge validate: at least one -f FILE is required/)
    const unknown = await fledge('validate', '--file', PROBLEMS, '--strict')
    assert.equal(unknown.code, 2)
    assert.match(unknown.err.join('\n'), /--strict/)
    const positional = await fledge('validate', PROBLEMS)
    assert.equal(positional.code, 2)
  })

  it('prints its usage with --help', async () => {
    const r = await fledge('validate', '--help')
    assert.equal(r.code, 0)
    assert.match(r.out.join('\n'), /fledge validate -f FILE \[-f FILE\.\.\.\]/)
  })
})
