import { isDeepStrictEqual } from 'node:util'
import { analysisOf, CanarySchema, objectKey, type Canary } from '../api/canary.js'
import type { CanaryStatus, Phase } from '../api/canary-status.js'
import type { WebhookType } from '../api/canary-spec.js'
import { zodIssues } from '../api/documents.js'
import { parseDuration } from '../util/duration.js'
import { errorMessage } from '../util/errors.js'
import type { Logger } from '../observability/logger.js'
import type { Recorder } from '../observability/recorder.js'
import { pendingCommand } from './commands.js'
import type { Action, Decision, Need, Observation } from './decision.js'
import type {
  AlertSink,
  AnalysisRunner,
  CanaryStore,
  Clock,
  EventSink,
  TrafficProvider,
  WebhookCaller,
  WebhookResult,
  Workloads,
} from './ports.js'
import { decide } from './state-machine.js'
import { webhookPayload } from './webhook-payload.js'
import { checkRolloutWindow, inRolloutWindow } from './window.js'

/** Everything the shell needs; all I/O goes through these ports. */
export interface EngineDeps {
  readonly store: CanaryStore
  readonly workloads: Workloads
  /** The traffic provider for a Canary (by spec.provider, or the controller's default). */
  readonly traffic: (canary: Canary) => TrafficProvider
  readonly analysis: AnalysisRunner
  readonly webhooks: WebhookCaller
  readonly events: EventSink
  readonly alerts: AlertSink
  readonly clock: Clock
  readonly log: Logger
  readonly recorder?: Recorder | undefined
}

export type TickResult =
  | { readonly kind: 'gone' }
  | { readonly kind: 'invalid'; readonly message: string }
  | {
      readonly kind: 'stepped'
      readonly decision: Extract<Decision, { kind: 'step' }>
      readonly canary: Canary
    }

/** Observations a single tick may gather; more means the state machine is looping. */
const MAX_OBSERVATIONS = 32

/**
 * One tick for one Canary: read it, let the state machine decide (gathering what it asks for),
 * carry out the actions, write the status, then send events and alerts. If an action fails the status
 * is not written, so the next tick decides again from the same state: every action is idempotent.
 */
export async function advance(
  deps: EngineDeps,
  key: string,
  signal: AbortSignal,
): Promise<TickResult> {
  const raw = await deps.store.get(key, signal)
  if (raw === undefined) return { kind: 'gone' }
  const canary = parseCanary(raw)
  if (!('spec' in canary)) {
    await reportInvalid(deps, key, raw, canary.message, signal)
    return { kind: 'invalid', message: canary.message }
  }
  const obs: Observation = {
    now: deps.clock.now(),
    command: pendingCommand(canary),
    deleting: canary.metadata.deletionTimestamp !== undefined,
  }
  for (let i = 0; i < MAX_OBSERVATIONS; i++) {
    const decision = decide(canary, obs)
    if (decision.kind === 'observe') {
      await observe(deps, canary, obs, decision.need, signal)
      continue
    }
    for (const action of decision.actions) {
      if (isStateAction(action)) await execute(deps, canary, action, signal)
    }
    if (!isDeepStrictEqual(decision.status, canary.status ?? {})) {
      await deps.store.patchStatus(key, decision.status, signal)
    }
    // The finalizer goes after the status: once it is removed the object may vanish.
    if (decision.actions.some((a) => a.kind === 'removeFinalizer')) {
      await deps.store.removeFinalizer(objectKey(canary.metadata), signal)
    }
    const after: Canary = { ...canary, status: decision.status }
    for (const action of decision.actions) {
      if (isBestEffort(action)) await bestEffort(deps, after, action, signal)
    }
    record(deps, after)
    return { kind: 'stepped', decision, canary: after }
  }
  throw new Error(
    `${key}: the state machine asked for more than ${MAX_OBSERVATIONS} observations in one tick`,
  )
}

function parseCanary(raw: unknown): Canary | { message: string } {
  const parsed = CanarySchema.safeParse(raw)
  if (!parsed.success) {
    const issues = zodIssues(parsed.error, raw)
    return {
      message: issues
        .map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`))
        .join('; '),
    }
  }
  const windows = analysisOf(parsed.data.spec)?.rolloutWindows ?? []
  for (const [i, w] of windows.entries()) {
    try {
      checkRolloutWindow(w)
    } catch (err) {
      return { message: `spec.analysis.rolloutWindows[${i}].${errorMessage(err)}` }
    }
  }
  return parsed.data
}

/** An invalid Canary says so on its status (condition Ready=False, InvalidSpec); others go on. */
async function reportInvalid(
  deps: EngineDeps,
  key: string,
  raw: unknown,
  message: string,
  signal: AbortSignal,
): Promise<void> {
  const old = statusOf(raw)
  const already = old.conditions?.find((c) => c.type === 'Ready')
  if (already?.reason === 'InvalidSpec' && already.message === message) return
  const now = new Date(deps.clock.now()).toISOString()
  const status: CanaryStatus = {
    ...old,
    message: `invalid spec: ${message}`,
    conditions: [
      ...(old.conditions ?? []).filter((c) => c.type !== 'Ready'),
      {
        type: 'Ready',
        status: 'False',
        reason: 'InvalidSpec',
        message,
        lastUpdateTime: now,
        lastTransitionTime: now,
      },
    ],
  }
  deps.log.warn('invalid canary', { canary: key, error: message })
  await deps.store.patchStatus(key, status, signal)
}

function statusOf(raw: unknown): CanaryStatus {
  if (typeof raw !== 'object' || raw === null || !('status' in raw)) return {}
  const status = (raw as { status?: unknown }).status
  return typeof status === 'object' && status !== null ? status : {}
}

async function observe(
  deps: EngineDeps,
  canary: Canary,
  obs: Observation,
  need: Need,
  signal: AbortSignal,
): Promise<void> {
  switch (need.kind) {
    case 'revision':
      obs.revision = await deps.workloads.revision(canary, signal)
      return
    case 'canaryReadiness':
      obs.canaryReadiness = await deps.workloads.canaryReadiness(canary, signal)
      return
    case 'primaryReadiness':
      obs.primaryReadiness = await deps.workloads.primaryReadiness(canary, signal)
      return
    case 'routes':
      obs.routes = await deps.traffic(canary).getRoutes(canary, signal)
      return
    case 'routesVerified':
      obs.routesVerified = await deps.traffic(canary).verifyRoutes(canary, need.weights, signal)
      return
    case 'metricsOnline':
      try {
        await deps.analysis.assertOnline(canary, signal)
        obs.metricsOnline = { ok: true, message: 'online' }
      } catch (err) {
        obs.metricsOnline = { ok: false, message: errorMessage(err) }
      }
      return
    case 'window':
      obs.inWindow = inRolloutWindow(analysisOf(canary.spec)?.rolloutWindows, obs.now)
      return
    case 'hooks':
      obs.hooks = {
        ...obs.hooks,
        [need.type]: await callHooks(deps, canary, need.type, need.phase, {}, signal),
      }
      return
    case 'analysis':
      obs.analysis = await deps.analysis.run(canary, { weight: need.weight, now: obs.now }, signal)
      return
  }
}

/** Calls every hook of one type, in parallel; a network failure is a failed result, never a throw. */
async function callHooks(
  deps: EngineDeps,
  canary: Canary,
  type: WebhookType,
  phase: Phase,
  extra: Readonly<Record<string, string>>,
  signal: AbortSignal,
): Promise<WebhookResult[]> {
  const hooks = (analysisOf(canary.spec)?.webhooks ?? []).filter(
    (h) => (h.type === undefined || h.type === '' ? 'rollout' : h.type) === type,
  )
  return Promise.all(
    hooks.map(async (h): Promise<WebhookResult> => {
      const payload = webhookPayload(canary, phase, { ...h.metadata, ...extra })
      try {
        const hook = {
          name: h.name,
          url: h.url,
          type,
          timeoutMs: h.timeout === undefined ? 10_000 : parseDuration(h.timeout),
          retries: h.retries ?? 0,
        }
        return await deps.webhooks.call(hook, payload, signal)
      } catch (err) {
        return { name: h.name, ok: false, message: errorMessage(err) }
      }
    }),
  )
}

/** Events, alerts, notifications and metrics: after the status, and never blocking. */
type BestEffort = Extract<Action, { kind: 'event' | 'alert' | 'notify' | 'recordResult' }>
/** Changes to the world, carried out before the status is written. */
type StateAction = Exclude<Action, BestEffort | { kind: 'removeFinalizer' }>

function isBestEffort(action: Action): action is BestEffort {
  return (
    action.kind === 'event' ||
    action.kind === 'alert' ||
    action.kind === 'notify' ||
    action.kind === 'recordResult'
  )
}

function isStateAction(action: Action): action is StateAction {
  return !isBestEffort(action) && action.kind !== 'removeFinalizer'
}

async function execute(
  deps: EngineDeps,
  canary: Canary,
  action: StateAction,
  signal: AbortSignal,
): Promise<void> {
  const traffic = deps.traffic(canary)
  switch (action.kind) {
    case 'initialize':
      await deps.workloads.initialize(canary, signal)
      await traffic.reconcile(canary, signal)
      return
    case 'setRoutes':
      await traffic.setRoutes(canary, action.weights, signal)
      return
    case 'scaleUpCanary':
      await deps.workloads.scaleUpCanary(canary, signal)
      return
    case 'scaleDownCanary':
      await deps.workloads.scaleDownCanary(canary, signal)
      return
    case 'promote':
      await deps.workloads.promote(canary, signal)
      return
    case 'revertTarget':
      await deps.workloads.revertTarget(canary, signal)
      return
    case 'finalizeRoutes':
      await traffic.finalize(canary, signal)
      return
  }
}

/** Events, alerts and notifications: their failure is logged and never blocks a rollout. */
async function bestEffort(
  deps: EngineDeps,
  canary: Canary,
  action: BestEffort,
  signal: AbortSignal,
): Promise<void> {
  const log = deps.log.child({ canary: objectKey(canary.metadata) })
  const phase = canary.status?.phase ?? 'Initializing'
  try {
    switch (action.kind) {
      case 'event': {
        await deps.events.emit(canary, action.event, signal)
        const meta = {
          eventMessage: action.event.message,
          eventType: action.event.type,
          timestamp: String(deps.clock.now()),
        }
        const failed = (await callHooks(deps, canary, 'event', phase, meta, signal)).filter(
          (r) => !r.ok,
        )
        for (const r of failed) log.warn('event webhook failed', { hook: r.name, error: r.message })
        return
      }
      case 'alert':
        await deps.alerts.send(canary, action.alert, signal)
        return
      case 'notify': {
        const failed = (
          await callHooks(deps, canary, action.type, action.phase, {}, signal)
        ).filter((r) => !r.ok)
        for (const r of failed)
          log.warn(`${action.type} webhook failed`, { hook: r.name, error: r.message })
        return
      }
      case 'recordResult':
        deps.recorder?.result(
          canary.metadata.namespace ?? 'default',
          canary.metadata.name,
          action.result,
          action.durationMs,
        )
        return
    }
  } catch (err) {
    log.warn(`${action.kind} failed`, { error: errorMessage(err) })
  }
}

function record(deps: EngineDeps, canary: Canary): void {
  const s = canary.status ?? {}
  deps.recorder?.status(
    canary.metadata.namespace ?? 'default',
    canary.metadata.name,
    s.phase ?? 'Initializing',
    s.canaryWeight ?? 0,
    s.failedChecks ?? 0,
  )
}
