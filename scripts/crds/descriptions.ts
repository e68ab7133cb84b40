/**
 * Field descriptions for `kubectl explain`, by kind and path (`[]` steps into list items, `*` into
 * map values). Kept short; docs/crd-reference.md has the full story. test/unit/api/crds.test.ts fails
 * when a path here names no field, and when a field of spec, spec.analysis or status has none.
 */
export const DESCRIPTIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Canary: {
    'spec.provider': 'Traffic provider for this Canary; the controller default when unset.',
    'spec.metricsServer': 'Prometheus URL for the builtin metrics; the controller default when unset.',
    'spec.targetRef': 'The workload under progressive delivery (Deployment, DaemonSet or Service).',
    'spec.autoscalerRef': 'HPA or KEDA ScaledObject to clone for the primary.',
    'spec.ingressRef': 'Ingress for the nginx and skipper providers.',
    'spec.routeRef': 'ApisixRoute for the apisix provider.',
    'spec.upstreamRef': 'Gloo Upstream for the gloo provider.',
    'spec.service': 'How the apex, primary and canary services and the routes are generated.',
    'spec.service.port': 'ClusterIP port of the generated services.',
    'spec.service.name': 'Name of the apex service; targetRef.name when unset.',
    'spec.service.portName': 'Name of the service port; http when unset.',
    'spec.service.targetPort': 'Container port, by number or name; port when unset.',
    'spec.service.gatewayRefs': 'Gateway API parents of the generated HTTPRoute.',
    'spec.service.hosts': 'Route hostnames; SMI uses the first as the TrafficSplit root service.',
    'spec.analysis': 'How the canary is judged and advanced. Without it, the analysis is skipped.',
    'spec.canaryAnalysis': 'Deprecated Flagger name for analysis; read only when analysis is unset.',
    'spec.progressDeadlineSeconds':
      'Seconds without progress before a rollback, in every phase; 600 when unset.',
    'spec.skipAnalysis': 'Promote without analysis once the canary is ready.',
    'spec.revertOnDeletion': 'On deletion, give the target its traffic back first.',
    'spec.suspend': 'Skip every run while true.',
    'spec.analysis.interval': 'Time between steps, e.g. 1m; 60s when unset.',
    'spec.analysis.threshold': 'Failed checks before a rollback; 1 when unset or not positive.',
    'spec.analysis.maxWeight':
      'Canary weight (percent) at which it is promoted; also caps stepWeights. 100 when unset.',
    'spec.analysis.stepWeight': 'Weight (percent) added per step; never past maxWeight.',
    'spec.analysis.stepWeights': 'Explicit increasing weights (percent), e.g. [1, 5, 10, 50].',
    'spec.analysis.stepWeightPromotion':
      'During promotion, weight (percent) moved back to the primary per interval; 0 = all at once.',
    'spec.analysis.iterations': 'Intervals to run for blue/green, or A/B testing with match.',
    'spec.analysis.mirror': 'Mirror traffic to the canary before shifting any.',
    'spec.analysis.mirrorWeight': 'Share of traffic mirrored (percent); 0 = all.',
    'spec.analysis.primaryReadyThreshold': 'Percent of primary replicas that must be available.',
    'spec.analysis.canaryReadyThreshold': 'Percent of canary replicas that must be available.',
    'spec.analysis.match': 'A/B conditions: requests matching any item go to the canary.',
    'spec.analysis.metrics': 'Checks run at every step, from the first non-zero weight.',
    'spec.analysis.metrics[].name':
      'request-success-rate and request-duration are builtin; others need templateRef or query.',
    'spec.analysis.metrics[].interval': 'Range of the query; 1m when unset.',
    'spec.analysis.metrics[].thresholdRange': 'Passing range of the value.',
    'spec.analysis.metrics[].threshold': 'Deprecated: use thresholdRange.',
    'spec.analysis.metrics[].query': 'Deprecated inline PromQL: use templateRef.',
    'spec.analysis.metrics[].templateRef': 'The MetricTemplate to run.',
    'spec.analysis.metrics[].templateVariables': 'Values for {{ variables.key }} in the template.',
    'spec.analysis.metrics[].compare':
      'fledge: judge a builtin metric by comparing canary and primary statistically.',
    'spec.analysis.webhooks': 'Gates, tests and notifications called during the rollout.',
    'spec.analysis.webhooks[].type': 'When the hook runs; rollout when empty.',
    'spec.analysis.webhooks[].url': 'Receives the JSON payload; any 2xx is success.',
    'spec.analysis.webhooks[].timeout': 'Per call; 10s when unset.',
    'spec.analysis.webhooks[].retries': 'Retries after a failed call; 0 when unset.',
    'spec.analysis.alerts': 'Where alerts go, by severity.',
    'spec.analysis.alerts[].severity': 'info gets all alerts, warn warnings and errors, error errors.',
    'spec.analysis.sessionAffinity': 'Sticky canary routing (Istio, Gateway API).',
    'spec.analysis.inconclusiveLimit':
      'fledge: consecutive checks without data that count as one failed check; 0 = hold forever.',
    'spec.analysis.errorLimit':
      'fledge: consecutive checks with the metrics backend failing that count as one failed check; 0 = hold forever.',
    'spec.analysis.rolloutWindows':
      'fledge: cron windows in which the Canary may advance; outside them it holds its weight.',
    'spec.analysis.rolloutWindows[].schedule': 'Five-field cron expression of the minutes inside.',
    'spec.analysis.rolloutWindows[].timeZone': 'IANA time zone of the schedule; UTC when unset.',
    'status.phase': 'Where the rollout is.',
    'status.canaryWeight': 'Canary weight (percent) last written.',
    'status.failedChecks': 'Failed checks in the current rollout.',
    'status.iterations': 'Iterations done (blue/green, A/B).',
    'status.trackedConfigs': 'Checksums of the ConfigMaps and Secrets the target uses.',
    'status.lastAppliedSpec': 'Hash of the target pod template at the last sync.',
    'status.lastPromotedSpec': 'Hash of the pod template last promoted.',
    'status.lastTransitionTime': 'When the status last changed.',
    'status.conditions': 'The Promoted condition.',
    'status.observedGeneration': 'The generation last acted on.',
    'status.stepStartedAt': 'When the current step began; the next is due one interval later.',
    'status.waitingSince': 'When fledge began waiting for readiness or routes.',
    'status.rolloutStartedAt': 'When the revision of the current rollout was detected.',
    'status.pendingScaleDown': 'Routes went back to the primary; the canary is scaled down once the data plane confirms.',
    'status.mirrored': 'Traffic is mirrored to the canary at this step.',
    'status.consecutiveInconclusive': 'Checks in a row without data.',
    'status.consecutiveErrors': 'Checks in a row with the metrics backend failing.',
    'status.paused': 'Paused by a command; holds its weight until resumed.',
    'status.lastCommand': 'The last command annotation value carried out.',
    'status.message': 'Why the last rollout failed, or what the Canary waits for.',
    'status.measurements': 'Recent check results.',
  },
  MetricTemplate: {
    'spec.provider': 'The metrics backend that answers the query.',
    'spec.provider.type': 'prometheus or in-process; the others validate for Flagger compatibility.',
    'spec.provider.address': 'Backend URL.',
    'spec.provider.secretRef': 'Secret with token, or username and password.',
    'spec.provider.headers': 'Extra HTTP headers sent with every query.',
    'spec.provider.region': 'CloudWatch region (Flagger compatibility).',
    'spec.provider.insecureSkipVerify': "Do not verify the backend's TLS certificate.",
    'spec.provider.timeout': 'fledge: query timeout; 5s when unset.',
    'spec.query':
      'Query template: {{ name }}, {{ namespace }}, {{ target }}, {{ interval }}, {{ variables.key }}, ...',
  },
  AlertProvider: {
    'spec.type': 'Where alerts are sent.',
    'spec.address': 'Webhook URL; required unless secretRef is set (not for log).',
    'spec.secretRef': 'Secret with address (overrides the spec) and optionally token.',
    'spec.channel': 'Channel to post to.',
    'spec.username': 'Name to post as; fledge when unset.',
    'spec.proxy': 'HTTP(S) proxy for the call.',
  },
}

type Schema = Record<string, unknown>

/** Children of a node by path step: a property, `[]` for list items, `*` for map values. */
function child(node: Schema, step: string): Schema | undefined {
  const next =
    step === '[]'
      ? node['items']
      : step === '*'
        ? node['additionalProperties']
        : (node['properties'] as Schema | undefined)?.[step]
  return typeof next === 'object' && next !== null ? (next as Schema) : undefined
}

/** Splits `spec.analysis.metrics[].name` into its steps. */
export function pathSteps(path: string): string[] {
  return path.replace(/\[\]/g, '.[]').split('.')
}

/** The node at a description path under `root`, or undefined. */
export function nodeAtPath(root: Schema, path: string): Schema | undefined {
  let cur: Schema | undefined = root
  for (const step of pathSteps(path)) cur = cur === undefined ? undefined : child(cur, step)
  return cur
}

/**
 * Puts the descriptions of `kind` on the resource schema, in place, ahead of the other keys.
 * `spec.analysis.*` is also written under Flagger's alias `spec.canaryAnalysis.*`.
 */
export function describe(kind: string, root: Schema): void {
  const entries = Object.entries(DESCRIPTIONS[kind] ?? {})
  const aliased = entries
    .filter(([p]) => p.startsWith('spec.analysis.'))
    .map(([p, d]): [string, string] => [p.replace('spec.analysis.', 'spec.canaryAnalysis.'), d])
  for (const [path, description] of [...entries, ...aliased]) {
    const node = nodeAtPath(root, path)
    if (node === undefined) throw new Error(`${kind} description for ${path}: no such field`)
    const rest = { ...node }
    for (const key of Object.keys(node)) Reflect.deleteProperty(node, key)
    Object.assign(node, { description }, rest)
  }
}
