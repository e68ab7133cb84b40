import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { staticTemplateSource } from '../../../src/analysis/template-source.js'
import { template } from '../../helpers/analysis-fixtures.js'

describe('templates held in memory', () => {
  const shared = template('latency', 'q1', 'http://p')
  const scoped = {
    ...template('latency', 'q2', 'http://p'),
    metadata: { name: 'latency', namespace: 'shop' },
  }
  const signal = AbortSignal.timeout(1000)

  it('prefers a template in the namespace asked for, else one written without a namespace', async () => {
    const source = staticTemplateSource([shared, scoped])
    assert.equal((await source.get('shop', 'latency', signal))?.spec.query, 'q2')
    assert.equal((await source.get('other', 'latency', signal))?.spec.query, 'q1')
    assert.equal(await source.get('shop', 'missing', signal), undefined)
  })

  it('reads a map keyed namespace/name, as local mode holds manifests', async () => {
    const source = staticTemplateSource(new Map([['shop/latency', scoped]]))
    assert.equal((await source.get('shop', 'latency', signal))?.spec.query, 'q2')
    assert.equal(await source.get('other', 'latency', signal), undefined)
  })
})
