import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runFledge } from './run-fledge.js'

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const STACK_FRAME = /^\s+at .+\(.*:\d+:\d+\)$/m

describe('fledge validate, as a process', () => {
  let tmp = ''
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'fledge-validate-proc-'))
    await writeFile(join(tmp, 'broken.yaml'), 'kind: Canary\nspec: [\n')
    await writeFile(join(tmp, 'empty.yaml'), '')
  })
  after(async () => {
    await rm(tmp, { recursive: true, force: true })
  })

  it('exits 0 on valid manifests, Flagger apiVersion included', async () => {
    const r = await runFledge([
      'validate',
      '-f',
      'test/fixtures/manifests/valid/podinfo-linkerd.yaml',
      '-f',
      'test/fixtures/manifests/valid/ab-testing.yaml',
    ])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(r.stdout, '4 resources valid in 2 files\n')
    assert.equal(r.stderr, '')
  })

  it('exits 1 with one line per problem, and no stack trace, for every kind of bad input', async () => {
    const problems = 'test/fixtures/manifests/invalid/problems.yaml'
    const broken = join(tmp, 'broken.yaml')
    const empty = join(tmp, 'empty.yaml')
    const missing = join(tmp, 'missing.yaml')
    const r = await runFledge([
      'validate',
      '-f',
      problems,
      '-f',
      broken,
      '-f',
      empty,
      '-f',
      missing,
      '-f',
      tmp,
    ])
    assert.equal(r.code, 1, r.stdout + r.stderr)
    assert.equal(r.stderr, '')
    assert.doesNotMatch(r.stdout, STACK_FRAME)
    const lines = r.stdout.trimEnd().split('\n')
    assert.deepEqual(lines, [
      `${problems}: document 1 (line 17) Canary/frontend: spec.service.port: expected number; found "80"`,
      `${problems}: document 1 (line 17) Canary/frontend: spec.analysis: unknown field "stepWeigth"`,
      `${problems}: document 2 (line 32) MetricTemplate/latency: spec.query: expected string; found nothing (required)`,
      lines[3],
      `${empty}: file: empty: no YAML documents`,
      `${missing}: file: no such file`,
      `${tmp}: file: is a directory`,
      '7 problems found',
    ])
    assert.match(
      lines[3] ?? '',
      new RegExp(
        `^${escape(broken)}: document 0 \\(line 1\\): invalid YAML: .* at line 3, column 1$`,
      ),
    )
  })

  it('exits 2 on a usage error, saying what is missing', async () => {
    const r = await runFledge(['validate'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /at least one -f FILE is required/)
    assert.doesNotMatch(r.stderr, STACK_FRAME)
  })
})
