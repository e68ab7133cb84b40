import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { at, issuesOf, loadDoc } from './fixtures.js'

type Doc = Record<string, unknown>

/** [what, fixture, mutation, exact field path, message pattern] */
type InvalidCase = [string, string, (doc: Doc) => void, string, RegExp]

const POD = 'valid/podinfo-linkerd.yaml'
const spec = (d: Doc): Doc => at(d, 'spec')
const analysis = (d: Doc): Doc => at(d, 'spec.analysis')

const invalidCanaries: InvalidCase[] = [
  [
    'wrong apiVersion',
    POD,
    (d) => (d['apiVersion'] = 'flagger.app/v1alpha3'),
    'apiVersion',
    /fledge\.dev\/v1beta1.*found "flagger\.app\/v1alpha3"/,
  ],
  [
    'no metadata.name',
    POD,
    (d) => delete at(d, 'metadata')['name'],
    'metadata.name',
    /found nothing \(required\)/,
  ],
  [
    'name not DNS-1123',
    POD,
    (d) => (at(d, 'metadata')['name'] = 'Pod_Info'),
    'metadata.name',
    /DNS-1123.*found "Pod_Info"/,
  ],
  ['no spec', POD, (d) => delete d['spec'], 'spec', /expected object; found nothing/],
  [
    'no targetRef',
    POD,
    (d) => delete spec(d)['targetRef'],
    'spec.targetRef',
    /found nothing \(required\)/,
  ],
  [
    'targetRef kind',
    POD,
    (d) => (at(d, 'spec.targetRef')['kind'] = 'StatefulSet'),
    'spec.targetRef.kind',
    /"Deployment"\|"DaemonSet"\|"Service"; found "StatefulSet"/,
  ],
  [
    'unknown provider',
    POD,
    (d) => (spec(d)['provider'] = 'linkerd2'),
    'spec.provider',
    /found "linkerd2"/,
  ],
  [
    'port as string',
    POD,
    (d) => (at(d, 'spec.service')['port'] = '9898'),
    'spec.service.port',
    /expected number; found "9898"/,
  ],
  [
    'port out of range',
    POD,
    (d) => (at(d, 'spec.service')['port'] = 70000),
    'spec.service.port',
    /<=65535; found 70000/,
  ],
  [
    'empty targetPort',
    POD,
    (d) => (at(d, 'spec.service')['targetPort'] = ''),
    'spec.service.targetPort',
    /found ""/,
  ],
  [
    'misspelt field',
    POD,
    (d) => (analysis(d)['stepWeigth'] = 5),
    'spec.analysis',
    /^unknown field "stepWeigth"$/,
  ],
  [
    'two unknown fields',
    POD,
    (d) => Object.assign(spec(d), { foo: 1, bar: 2 }),
    'spec',
    /^unknown fields "foo", "bar"$/,
  ],
  [
    'bad interval',
    POD,
    (d) => (analysis(d)['interval'] = '30 seconds'),
    'spec.analysis.interval',
    /duration.*found "30 seconds"/,
  ],
  [
    'threshold not integer',
    POD,
    (d) => (analysis(d)['threshold'] = 2.5),
    'spec.analysis.threshold',
    /int.*found 2\.5/,
  ],
  [
    'maxWeight over 100',
    POD,
    (d) => (analysis(d)['maxWeight'] = 150),
    'spec.analysis.maxWeight',
    /<=100; found 150/,
  ],
  [
    'stepWeight zero',
    POD,
    (d) => (analysis(d)['stepWeight'] = 0),
    'spec.analysis.stepWeight',
    />0; found 0/,
  ],
  [
    'no step strategy',
    POD,
    (d) => delete analysis(d)['stepWeight'],
    'spec.analysis',
    /one of stepWeight, stepWeights or iterations is required/,
  ],
  [
    'stepWeights not increasing',
    POD,
    (d) => (analysis(d)['stepWeights'] = [10, 20, 20]),
    'spec.analysis.stepWeights[2]',
    /increase strictly; found 20/,
  ],
  [
    'empty stepWeights',
    POD,
    (d) => (analysis(d)['stepWeights'] = []),
    'spec.analysis.stepWeights',
    />=1 items; found \[\]/,
  ],
  [
    'negative iterations',
    'valid/blue-green.yaml',
    (d) => (analysis(d)['iterations'] = -1),
    'spec.analysis.iterations',
    />=0; found -1/,
  ],
  [
    'match without iterations',
    'valid/ab-testing.yaml',
    (d) => delete analysis(d)['iterations'],
    'spec.analysis.match[0]',
    /needs analysis.iterations > 0/,
  ],
  [
    'empty match',
    'valid/ab-testing.yaml',
    (d) => ((analysis(d)['match'] as unknown[])[1] = {}),
    'spec.analysis.match[1]',
    /empty match condition/,
  ],
  [
    'match with only a name',
    'valid/ab-testing.yaml',
    (d) => ((analysis(d)['match'] as unknown[])[0] = { name: 'nothing' }),
    'spec.analysis.match[0]',
    /empty match condition/,
  ],
  [
    'unknown string match',
    'valid/ab-testing.yaml',
    (d) => (at(d, 'spec.analysis.match[0].headers.x-canary')['exactly'] = 'x'),
    'spec.analysis.match[0].headers.x-canary',
    /unknown field "exactly"/,
  ],
  [
    'metric with no query',
    POD,
    (d) => delete at(d, 'spec.analysis.metrics[2]')['templateRef'],
    'spec.analysis.metrics[2]',
    /"not-found-percentage" is not builtin.*no templateRef or query/,
  ],
  [
    'metric thresholdRange typo',
    POD,
    (d) => (at(d, 'spec.analysis.metrics[0].thresholdRange')['minimum'] = 1),
    'spec.analysis.metrics[0].thresholdRange',
    /unknown field "minimum"/,
  ],
  [
    'metric interval',
    POD,
    (d) => (at(d, 'spec.analysis.metrics[1]')['interval'] = 'soon'),
    'spec.analysis.metrics[1].interval',
    /found "soon"/,
  ],
  [
    'compare confidence',
    POD,
    (d) => (at(d, 'spec.analysis.metrics[0]')['compare'] = { confidence: 1 }),
    'spec.analysis.metrics[0].compare.confidence',
    /<1; found 1/,
  ],
  [
    'templateRef name empty',
    POD,
    (d) => (at(d, 'spec.analysis.metrics[2].templateRef')['name'] = ''),
    'spec.analysis.metrics[2].templateRef.name',
    /found ""/,
  ],
  [
    'webhook type',
    'valid/webhooks.yaml',
    (d) => (at(d, 'spec.analysis.webhooks[1]')['type'] = 'pre-rolout'),
    'spec.analysis.webhooks[1].type',
    /"confirm-rollout".*found "pre-rolout"/,
  ],
  [
    'webhook url scheme',
    'valid/webhooks.yaml',
    (d) => (at(d, 'spec.analysis.webhooks[0]')['url'] = 'ftp://x/'),
    'spec.analysis.webhooks[0].url',
    /http:\/\/ or https:\/\/ URL; found "ftp:\/\/x\/"/,
  ],
  [
    'webhook without url',
    'valid/webhooks.yaml',
    (d) => delete at(d, 'spec.analysis.webhooks[8]')['url'],
    'spec.analysis.webhooks[8].url',
    /found nothing \(required\)/,
  ],
  [
    'webhook timeout',
    'valid/webhooks.yaml',
    (d) => (at(d, 'spec.analysis.webhooks[1]')['timeout'] = '15 s'),
    'spec.analysis.webhooks[1].timeout',
    /found "15 s"/,
  ],
  [
    'webhook retries',
    'valid/webhooks.yaml',
    (d) => (at(d, 'spec.analysis.webhooks[1]')['retries'] = 11),
    'spec.analysis.webhooks[1].retries',
    /<=10; found 11/,
  ],
  [
    'webhook metadata not strings',
    'valid/webhooks.yaml',
    (d) => (at(d, 'spec.analysis.webhooks[1].metadata')['type'] = 1),
    'spec.analysis.webhooks[1].metadata.type',
    /expected string; found 1/,
  ],
  [
    'alert severity',
    'valid/alerts.yaml',
    (d) => (at(d, 'spec.analysis.alerts[0]')['severity'] = 'critical'),
    'spec.analysis.alerts[0].severity',
    /"info"\|"warn"\|"error"; found "critical"/,
  ],
  [
    'alert without providerRef',
    'valid/alerts.yaml',
    (d) => delete at(d, 'spec.analysis.alerts[1]')['providerRef'],
    'spec.analysis.alerts[1].providerRef',
    /found nothing \(required\)/,
  ],
  [
    'rollout window without schedule',
    'valid/webhooks.yaml',
    (d) => delete at(d, 'spec.analysis.rolloutWindows[0]')['schedule'],
    'spec.analysis.rolloutWindows[0].schedule',
    /required/,
  ],
  [
    'negative inconclusiveLimit',
    'valid/webhooks.yaml',
    (d) => (analysis(d)['inconclusiveLimit'] = -1),
    'spec.analysis.inconclusiveLimit',
    />=0; found -1/,
  ],
  [
    'progressDeadlineSeconds zero',
    POD,
    (d) => (spec(d)['progressDeadlineSeconds'] = 0),
    'spec.progressDeadlineSeconds',
    />=1; found 0/,
  ],
  [
    'suspend as string',
    POD,
    (d) => (spec(d)['suspend'] = 'yes'),
    'spec.suspend',
    /expected boolean; found "yes"/,
  ],
  [
    'gatewayRef port',
    'valid/ab-testing.yaml',
    (d) => (at(d, 'spec.service.gatewayRefs[0]')['port'] = 0),
    'spec.service.gatewayRefs[0].port',
    />=1; found 0/,
  ],
  [
    'trafficDistribution',
    POD,
    (d) => (at(d, 'spec.service')['trafficDistribution'] = 'Nearest'),
    'spec.service.trafficDistribution',
    /"PreferClose".*found "Nearest"/,
  ],
  [
    'status phase',
    POD,
    (d) => (d['status'] = { phase: 'Running' }),
    'status.phase',
    /"Initializing".*found "Running"/,
  ],
  [
    'status weight',
    POD,
    (d) => (d['status'] = { canaryWeight: 101 }),
    'status.canaryWeight',
    /<=100; found 101/,
  ],
  [
    'status measurement outcome',
    POD,
    (d) => (d['status'] = { measurements: [{ metric: 'x', outcome: 'Passed', at: 't' }] }),
    'status.measurements[0].outcome',
    /"Successful"\|"Failed"\|"Inconclusive"\|"Error"; found "Passed"/,
  ],
  [
    'status condition',
    POD,
    (d) => (d['status'] = { conditions: [{ type: 'Promoted', status: 'Yes' }] }),
    'status.conditions[0].status',
    /"True"\|"False"\|"Unknown"; found "Yes"/,
  ],
]

describe('invalid Canary manifests name the field at fault', () => {
  for (const [what, file, mutate, path, message] of invalidCanaries) {
    it(what, () => {
      const doc = loadDoc(file)
      mutate(doc)
      const issues = issuesOf(doc)
      const issue = issues.find((i) => i.path === path)
      assert.ok(issue, `no issue at ${path}; got ${JSON.stringify(issues)}`)
      assert.match(issue.message, message)
    })
  }

  it('reports every problem of a document, not only the first', () => {
    const doc = loadDoc(POD)
    at(doc, 'spec.service')['port'] = 'http'
    analysis(doc)['interval'] = 'later'
    at(doc, 'spec.targetRef')['kind'] = 'Pod'
    const paths = issuesOf(doc).map((i) => i.path)
    assert.deepEqual(paths.sort(), [
      'spec.analysis.interval',
      'spec.service.port',
      'spec.targetRef.kind',
    ])
  })
})
