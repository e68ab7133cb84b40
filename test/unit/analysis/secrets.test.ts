import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createFileSecretReader,
  prometheusAuthFrom,
  secretData,
} from '../../../src/analysis/providers/secrets.js'
import { ErrorCodes, type FledgeError } from '../../../src/util/errors.js'

describe('secrets for metrics providers', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fledge-secret-'))
    await mkdir(join(dir, 'prod'))
    await writeFile(join(dir, 'prod', 'prom.yaml'), 'token: "abc\\n"\n')
    await writeFile(join(dir, 'prom.yaml'), 'username: u\npassword: p\n')
  })
  after(() => rm(dir, { recursive: true, force: true }))

  it('reads <dir>/<namespace>/<name>.yaml first, then <dir>/<name>.yaml', async () => {
    const reader = createFileSecretReader(dir)
    const signal = AbortSignal.timeout(5000)
    assert.deepEqual(await reader.read('prod', 'prom', signal), { token: 'abc\n' })
    assert.deepEqual(await reader.read('dev', 'prom', signal), { username: 'u', password: 'p' })
    await assert.rejects(
      reader.read('dev', 'missing', signal),
      (e: FledgeError) =>
        e.code === ErrorCodes.NOT_FOUND && e.message.includes('secret dev/missing not found'),
    )
  })

  it('decodes a Kubernetes Secret: data is base64, stringData wins', () => {
    const doc = {
      apiVersion: 'v1',
      kind: 'Secret',
      data: { username: Buffer.from('admin').toString('base64'), password: 'eA==' },
      stringData: { password: 'plain' },
    }
    assert.deepEqual(secretData(doc, 'x'), { username: 'admin', password: 'plain' })
  })

  it("uses Flagger's keys: token for bearer, username and password for basic", () => {
    assert.deepEqual(prometheusAuthFrom({ token: ' t0k \n' }, 'ns/s'), { bearerToken: 't0k' })
    assert.deepEqual(prometheusAuthFrom({ username: 'u', password: 'p' }, 'ns/s'), {
      username: 'u',
      password: 'p',
    })
    assert.throws(
      () => prometheusAuthFrom({ user: 'u' }, 'ns/s'),
      /secret ns\/s: expected key "token"/,
    )
  })
})
