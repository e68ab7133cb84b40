import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { ROOT, runFledge } from './run-fledge.js'

/** Every YAML file under dir, recursively, sorted. */
function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const path = join(dir, e.name)
      if (e.isDirectory()) return e.name === 'node_modules' ? [] : yamlFiles(path)
      return /\.ya?ml$/.test(e.name) ? [path] : []
    })
}

/**
 * A manifest is a YAML file with a top-level `kind:`. Other YAML under examples/ (a Prometheus
 * config, a fledge config file) is not a Kubernetes-style resource, so validate has nothing to say.
 */
function isManifest(path: string): boolean {
  return /^kind:\s*\S/m.test(readFileSync(path, 'utf8'))
}

describe('examples/', () => {
  const all = yamlFiles(join(ROOT, 'examples'))
  const manifests = all.filter(isManifest).map((p) => relative(ROOT, p))

  it('holds the podinfo and Flagger examples', () => {
    for (const expected of [
      'examples/podinfo/canary.yaml',
      'examples/flagger/podinfo-canary.yaml',
      'examples/flagger/podinfo-blue-green.yaml',
    ]) {
      assert.ok(manifests.includes(expected), `${expected} is among ${manifests.join(', ')}`)
    }
  })

  it('validates, every manifest in it (fledge validate exits 0)', async () => {
    const r = await runFledge(['validate', ...manifests.flatMap((m) => ['-f', m])])
    assert.equal(r.code, 0, `fledge validate on examples/:\n${r.stdout}${r.stderr}`)
    const summary = /^(\d+) resources? valid in (\d+) files?$/m.exec(r.stdout)
    assert.ok(summary, r.stdout)
    assert.equal(Number(summary[2]), manifests.length)
    // Files of Deployments and Services alone are fine: validate skips kinds it does not manage.
    assert.ok(Number(summary[1]) >= 4, 'the podinfo and Flagger examples hold fledge resources')
  })
})
