import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import {
  SCHEMAS,
  describeDocument,
  isRecord,
  parseYamlDocuments,
  validateDocument,
} from '../../../src/api/documents.js'

describe('parseYamlDocuments', () => {
  it('splits a stream, keeping stream indexes and first content lines, dropping empty documents', () => {
    const text = [
      'kind: A',
      '---',
      '---',
      '# only a comment',
      '---',
      'kind: B',
      'x: 1',
      '---',
      '',
    ].join('\n')
    const docs = parseYamlDocuments(text)
    assert.deepEqual(
      docs.map((d) => [d.index, d.line, d.value]),
      [
        [0, 1, { kind: 'A' }],
        [3, 6, { kind: 'B', x: 1 }],
      ],
    )
  })

  it('returns nothing for an empty file or one with only comments', () => {
    assert.deepEqual(parseYamlDocuments(''), [])
    assert.deepEqual(parseYamlDocuments('# nothing here\n\n'), [])
    assert.deepEqual(parseYamlDocuments('---\n---\n'), [])
  })

  const broken: [what: string, text: string, error: RegExp][] = [
    ['an unclosed flow sequence', 'kind: A\nitems: [1, 2\n', /at line \d+, column \d+$/],
    ['a duplicate key', 'kind: A\nkind: B\n', /Map keys must be unique at line 4, column 1$/],
    ['tab indentation', 'spec:\n\tport: 1\n', /at line 4, column 1$/],
    ['an unresolved alias', 'a: *nowhere\n', /Unresolved alias/],
    [
      'an alias bomb',
      `a: &a [1]\nb: [${Array.from({ length: 120 }, () => '*a').join(', ')}]\n`,
      /alias count/i,
    ],
  ]
  for (const [what, text, error] of broken) {
    it(`reports ${what} as an error of its document, with file lines, without throwing`, () => {
      const docs = parseYamlDocuments(`kind: Fine\n---\n${text}`)
      assert.equal(docs.length, 2)
      assert.deepEqual(docs[0]?.errors, [])
      const bad = docs[1]
      assert.ok(bad)
      assert.equal(bad.index, 1)
      assert.equal(bad.line, 3)
      assert.equal(bad.value, undefined)
      assert.ok(bad.errors.length >= 1)
      assert.match(bad.errors[0] ?? '', error)
      assert.ok(!bad.errors.some((e) => e.includes('\n')), 'one line per error')
    })
  }
})

describe('describeDocument', () => {
  const table: [value: unknown, expected: string][] = [
    [{ kind: 'Canary', metadata: { name: 'podinfo' } }, 'Canary/podinfo'],
    [{ kind: 'Canary' }, 'Canary/(no name)'],
    [{ kind: 'Canary', metadata: { name: 7 } }, 'Canary/(no name)'],
    [{ metadata: { name: 'x' } }, 'unknown kind/x'],
    [[1, 2], 'document'],
    ['text', 'document'],
    [null, 'document'],
  ]
  for (const [value, expected] of table) {
    it(`names ${JSON.stringify(value)} ${expected}`, () => {
      assert.equal(describeDocument(value), expected)
    })
  }
})

describe('validateDocument', () => {
  const notResources: [value: unknown, path: string, message: RegExp][] = [
    [[{ kind: 'Canary' }], '', /expected a mapping with apiVersion and kind, found a list/],
    ['hello', '', /found string "hello"/],
    [42, '', /found number 42/],
    [null, '', /found null/],
    [{ apiVersion: 'v1' }, 'kind', /expected a string, found nothing/],
    [{ kind: { name: 'Canary' } }, 'kind', /expected a string, found a mapping/],
  ]
  for (const [value, path, message] of notResources) {
    it(`rejects ${JSON.stringify(value)} with a message at "${path}"`, () => {
      const r = validateDocument(value)
      if (r.ok !== false) assert.fail(`expected invalid: ${JSON.stringify(r)}`)
      assert.equal(r.kind, undefined)
      assert.equal(r.issues.length, 1)
      const [issue] = r.issues
      assert.ok(issue)
      assert.equal(issue.path, path)
      assert.match(issue.message, message)
    })
  }

  it('skips kinds fledge does not manage, saying so', () => {
    const r = validateDocument({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
    })
    assert.deepEqual(r, {
      ok: 'skipped',
      kind: 'Deployment',
      reason: 'kind Deployment is not validated by fledge',
    })
  })

  it('validates each known kind with its schema', () => {
    assert.deepEqual(Object.keys(SCHEMAS).sort(), [
      'AlertProvider',
      'Canary',
      'HTTPRoute',
      'MetricTemplate',
      'TrafficSplit',
    ])
    for (const kind of Object.keys(SCHEMAS)) {
      const r = validateDocument({ kind })
      assert.equal(r.ok, false, kind)
      assert.equal(r.kind, kind)
    }
  })

  it('says when a required field is missing and when a value has the wrong type', () => {
    const r = validateDocument({
      apiVersion: 'fledge.dev/v1beta1',
      kind: 'AlertProvider',
      metadata: { name: 'x' },
      spec: { type: 'log', channel: ['a'] },
    })
    if (r.ok !== false) assert.fail(`expected invalid: ${JSON.stringify(r)}`)
    assert.deepEqual(r.issues, [{ path: 'spec.channel', message: 'expected string; found ["a"]' }])
    const missing = validateDocument({ apiVersion: 'fledge.dev/v1beta1', kind: 'AlertProvider' })
    if (missing.ok !== false) assert.fail(`expected invalid: ${JSON.stringify(missing)}`)
    assert.deepEqual(
      missing.issues.map((i) => `${i.path}: ${i.message}`),
      [
        'metadata: expected object; found nothing (required)',
        'spec: expected object; found nothing (required)',
      ],
    )
  })

  it('shortens long values it quotes', () => {
    const r = validateDocument({
      apiVersion: 'fledge.dev/v1beta1',
      kind: 'AlertProvider',
      metadata: { name: 'x' },
      spec: { type: 'log', channel: 'c'.repeat(200).split('') },
    })
    if (r.ok !== false) assert.fail(`expected invalid: ${JSON.stringify(r)}`)
    const message = r.issues[0]?.message ?? ''
    assert.ok(message.endsWith('...'), message)
    assert.ok(message.length < 120, message)
  })

  it('isRecord accepts only plain mappings', () => {
    assert.equal(isRecord({}), true)
    assert.equal(isRecord([]), false)
    assert.equal(isRecord(null), false)
    assert.equal(isRecord('x'), false)
  })
})
