import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { HTTPRouteSchema } from '../../../src/api/http-route.js'
import { at, issuesOf, loadDoc } from './fixtures.js'

type Doc = Record<string, unknown>
/** [what, fixture, document index, mutation, exact field path, message pattern] */
type InvalidCase = [string, string, number, (doc: Doc) => void, string, RegExp]

const MT = 'valid/metrictemplates.yaml'
const AP = 'valid/alerts.yaml'
const RT = 'valid/httproute.yaml'

const invalid: InvalidCase[] = [
  // MetricTemplate
  [
    'MetricTemplate without query',
    MT,
    0,
    (d) => delete at(d, 'spec')['query'],
    'spec.query',
    /found nothing \(required\)/,
  ],
  [
    'MetricTemplate empty query',
    MT,
    1,
    (d) => (at(d, 'spec')['query'] = ''),
    'spec.query',
    />=1 characters; found ""/,
  ],
  [
    'MetricTemplate unknown provider type',
    MT,
    0,
    (d) => (at(d, 'spec.provider')['type'] = 'victoria'),
    'spec.provider.type',
    /"prometheus"\|"in-process".*found "victoria"/,
  ],
  [
    'MetricTemplate secretRef without name',
    MT,
    0,
    (d) => (at(d, 'spec.provider')['secretRef'] = {}),
    'spec.provider.secretRef.name',
    /required/,
  ],
  [
    'MetricTemplate secretRef in another namespace',
    MT,
    2,
    (d) => (at(d, 'spec.provider.secretRef')['namespace'] = 'kube-system'),
    'spec.provider.secretRef',
    /unknown field "namespace"/,
  ],
  [
    'MetricTemplate header value not a string',
    MT,
    0,
    (d) => (at(d, 'spec.provider.headers')['X-Scope-OrgID'] = 7),
    'spec.provider.headers.X-Scope-OrgID',
    /expected string; found 7/,
  ],
  [
    'MetricTemplate timeout',
    MT,
    0,
    (d) => (at(d, 'spec.provider')['timeout'] = 'ten seconds'),
    'spec.provider.timeout',
    /duration.*found "ten seconds"/,
  ],
  [
    'MetricTemplate wrong apiVersion',
    MT,
    0,
    (d) => (d['apiVersion'] = 'flagger.app/v1alpha1'),
    'apiVersion',
    /found "flagger\.app\/v1alpha1"/,
  ],
  // AlertProvider
  [
    'AlertProvider unknown type',
    AP,
    1,
    (d) => (at(d, 'spec')['type'] = 'pagerduty'),
    'spec.type',
    /"slack"\|"msteams".*found "pagerduty"/,
  ],
  [
    'AlertProvider without address or secretRef',
    AP,
    2,
    (d) => delete at(d, 'spec')['address'],
    'spec.address',
    /msteams alerts need an address, or a secretRef.*; found nothing \(required\)/,
  ],
  [
    'AlertProvider misspelt field',
    AP,
    1,
    (d) => (at(d, 'spec')['chanel'] = 'x'),
    'spec',
    /unknown field "chanel"/,
  ],
  // HTTPRoute
  [
    'HTTPRoute backend weight over a million',
    RT,
    0,
    (d) => (at(d, 'spec.rules[0].backendRefs[1]')['weight'] = 1_000_001),
    'spec.rules[0].backendRefs[1].weight',
    /<=1000000; found 1000001/,
  ],
  [
    'HTTPRoute backend without name',
    RT,
    0,
    (d) => delete at(d, 'spec.rules[0].backendRefs[0]')['name'],
    'spec.rules[0].backendRefs[0].name',
    /required/,
  ],
  [
    'HTTPRoute parentRef port 0',
    RT,
    0,
    (d) => (at(d, 'spec.parentRefs[0]')['port'] = 0),
    'spec.parentRefs[0].port',
    />=1; found 0/,
  ],
  [
    'HTTPRoute path match type',
    RT,
    0,
    (d) => (at(d, 'spec.rules[0].matches[0].path')['type'] = 'Prefix'),
    'spec.rules[0].matches[0].path.type',
    /"Exact"\|"PathPrefix"\|"RegularExpression"; found "Prefix"/,
  ],
  [
    'HTTPRoute header match without value',
    RT,
    0,
    (d) => delete at(d, 'spec.rules[0].matches[0].headers[0]')['value'],
    'spec.rules[0].matches[0].headers[0].value',
    /required/,
  ],
  [
    'HTTPRoute alpha apiVersion',
    RT,
    0,
    (d) => (d['apiVersion'] = 'gateway.networking.k8s.io/v1alpha2'),
    'apiVersion',
    /found "gateway\.networking\.k8s\.io\/v1alpha2"/,
  ],
]

describe('MetricTemplate, AlertProvider and HTTPRoute', () => {
  for (const [what, file, index, mutate, path, message] of invalid) {
    it(`rejects ${what} at ${path}`, () => {
      const doc = loadDoc(file, index)
      mutate(doc)
      const issues = issuesOf(doc)
      const issue = issues.find((i) => i.path === path)
      assert.ok(issue, `no issue at ${path}; got ${JSON.stringify(issues)}`)
      assert.match(issue.message, message)
    })
  }

  it('keeps the HTTPRoute fields fledge does not model (loose objects)', () => {
    const doc = loadDoc(RT)
    at(doc, 'spec.rules[0]')['sessionPersistence'] = { sessionName: 'x' }
    at(doc, 'spec.rules[0].backendRefs[0]')['filters'] = [{ type: 'RequestHeaderModifier' }]
    const route = HTTPRouteSchema.parse(doc)
    const rule = route.spec.rules?.[0]
    assert.ok(rule)
    assert.deepEqual(rule['sessionPersistence'], { sessionName: 'x' })
    assert.equal(rule.backendRefs?.[1]?.weight, 10)
    assert.equal(rule.timeouts?.request, '30s')
  })
})
