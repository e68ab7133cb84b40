// fledge dashboard: formatting and the DOM of one Canary card. No network, no state.
/* global document, Node, CSS */

/**
 * @typedef {object} Measurement
 * @property {string} metric
 * @property {string} outcome
 * @property {number} [value]
 * @property {string} [message]
 * @property {number} [weight] milli-units
 * @property {string} at
 */

/**
 * What the API returns per Canary (src/server/views.ts CanaryView).
 * @typedef {object} View
 * @property {string} key
 * @property {string} name
 * @property {string} namespace
 * @property {string} target
 * @property {string} phase
 * @property {number} weight percent
 * @property {number} maxWeight
 * @property {number[]} steps
 * @property {number} failedChecks
 * @property {number} threshold
 * @property {number} intervalMs
 * @property {string} message
 * @property {boolean} paused
 * @property {string} [stepStartedAt]
 * @property {Measurement[]} measurements
 * @property {string} [invalid]
 * @property {boolean} pending
 * @property {boolean} done
 */

/**
 * A controller event.
 * @typedef {object} FledgeEvent
 * @property {string} type
 * @property {string} reason
 * @property {string} message
 * @property {string} canary
 * @property {string} [time]
 */

/** @typedef {Node | string | null | undefined | false} Child */

export const VERBS = /** @type {const} */ (['promote', 'abort', 'pause', 'resume', 'retry'])
/** @typedef {(typeof VERBS)[number]} Verb */

const EVENTS_PER_CANARY = 5

/**
 * Builds an element; strings become text nodes, so nothing from the API is parsed as HTML.
 * @param {string} tag
 * @param {Record<string, string | number | boolean | undefined | EventListener>} attrs
 * @param {...(Child | Child[])} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue
    if (typeof v === 'function') el.addEventListener(k.slice(2), v)
    else if (k === 'class') el.className = String(v)
    else el.setAttribute(k, v === true ? '' : String(v))
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue
    el.append(c instanceof Node ? c : document.createTextNode(c))
  }
  return el
}

// ---- formatting (the same rules as the CLI's src/cli/render) ----

/** @param {number} ms */
export function formatDuration(ms) {
  if (!Number.isFinite(ms) || ms <= 0) return '0s'
  if (ms < 1000) return `${Math.round(ms)}ms`
  const s = Math.floor(ms / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`
  const hr = Math.floor(m / 60)
  if (hr < 24) return m % 60 === 0 ? `${hr}h` : `${hr}h${m % 60}m`
  const d = Math.floor(hr / 24)
  return hr % 24 === 0 ? `${d}d` : `${d}d${hr % 24}h`
}

/** @param {string | null | undefined} iso */
export function age(iso) {
  const t = Date.parse(iso ?? '')
  if (Number.isNaN(t)) return '-'
  const ms = Date.now() - t
  return ms < 1000 ? '0s' : formatDuration(ms)
}

/** @param {number} p */
const percent = (p) => `${Math.round(p * 10) / 10}%`

/** @param {number | undefined} v */
function formatValue(v) {
  if (typeof v !== 'number') return '-'
  if (Number.isInteger(v)) return String(v)
  return Math.abs(v) >= 100 ? v.toFixed(1) : String(Math.round(v * 1000) / 1000)
}

/** @param {View} view */
const currentStep = (view) => view.steps.filter((s) => s <= view.weight + 1e-9).length

/** @param {View} view */
function phaseClass(view) {
  if (view.invalid !== undefined) return 'bad'
  if (view.paused) return 'waiting'
  switch (view.phase) {
    case 'Succeeded':
    case 'Initialized':
      return 'ok'
    case 'Failed':
      return 'bad'
    case 'Progressing':
    case 'Promoting':
    case 'Finalising':
      return 'progressing'
    case 'Waiting':
    case 'WaitingPromotion':
    case 'Initializing':
      return 'waiting'
    default:
      return 'neutral'
  }
}

/**
 * The newest measurement of each metric.
 * @param {Measurement[]} ms
 */
function latestMeasurements(ms) {
  /** @type {Map<string, Measurement>} */
  const latest = new Map()
  for (const m of ms) {
    const seen = latest.get(m.metric)
    if (seen === undefined || Date.parse(m.at) >= Date.parse(seen.at)) latest.set(m.metric, m)
  }
  return [...latest.values()]
}

/**
 * Which commands make sense now; the controller ignores the others (with an event).
 * @param {View} view
 * @param {Verb} verb
 */
export function allowed(view, verb) {
  const analysing = view.phase === 'Progressing' || view.phase === 'WaitingPromotion'
  switch (verb) {
    case 'promote':
      return analysing
    case 'abort':
      return analysing || view.phase === 'Waiting'
    case 'pause':
      return analysing && !view.paused
    case 'resume':
      return view.paused
    case 'retry':
      return view.phase === 'Failed'
  }
}

// ---- one card ----

/** @param {View} view */
function weightBar(view) {
  const marks = view.steps.map((s) =>
    h('span', {
      class: `mark${s <= view.weight + 1e-9 ? ' passed' : ''}`,
      style: `left: ${Math.min(100, s)}%`,
      title: `step ${percent(s)}`,
    }),
  )
  return h(
    'div',
    {
      class: 'bar',
      role: 'progressbar',
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': view.weight,
      'aria-label': `canary weight ${percent(view.weight)}`,
    },
    h('span', { class: 'fill', style: `width: ${Math.min(100, view.weight)}%` }),
    view.maxWeight > 0
      ? h('span', {
          class: 'max',
          style: `left: ${Math.min(100, view.maxWeight)}%`,
          title: `max weight ${percent(view.maxWeight)}`,
        })
      : null,
    marks,
  )
}

/** @param {View} view */
function stepTimer(view) {
  if (!(view.intervalMs > 0)) return h('span', {}, '-')
  const analysing = view.phase === 'Progressing' || view.phase === 'WaitingPromotion'
  const interval = formatDuration(view.intervalMs)
  if (!analysing || view.stepStartedAt === undefined) return h('span', {}, `every ${interval}`)
  return h(
    'span',
    { 'data-since': view.stepStartedAt, 'data-interval': interval },
    `${age(view.stepStartedAt)} / ${interval} in this step`,
  )
}

/** @param {View} view */
function measurementsTable(view) {
  const ms = latestMeasurements(view.measurements)
  if (ms.length === 0) return h('p', { class: 'muted' }, 'No measurements yet.')
  const head = ['Metric', 'Value', 'Outcome', 'Weight', 'Age'].map((t) => h('th', {}, t))
  return h(
    'table',
    { class: 'measurements' },
    h('thead', {}, h('tr', {}, head)),
    h(
      'tbody',
      {},
      ms.map((m) =>
        h(
          'tr',
          {},
          h('td', {}, m.metric),
          h('td', { class: 'num' }, formatValue(m.value)),
          h('td', { class: `outcome ${m.outcome}`, title: m.message ?? '' }, m.outcome),
          h('td', { class: 'num' }, m.weight === undefined ? '-' : percent(m.weight / 10)),
          h('td', { class: 'num', 'data-age': m.at }, age(m.at)),
        ),
      ),
    ),
  )
}

/** @param {FledgeEvent[]} recent oldest first */
function eventList(recent) {
  const list = recent.slice(-EVENTS_PER_CANARY).reverse()
  if (list.length === 0) return h('p', { class: 'muted' }, 'No events yet.')
  return h(
    'ul',
    { class: 'events' },
    list.map((e) =>
      h(
        'li',
        { class: e.type === 'Warning' ? 'warning' : '' },
        h('span', { class: 'age', 'data-age': e.time ?? '' }, age(e.time)),
        h('span', { class: 'reason' }, e.reason),
        h('span', { class: 'message' }, e.message),
      ),
    ),
  )
}

/**
 * The card of one Canary.
 * @param {View} view
 * @param {FledgeEvent[]} recent its events, oldest first
 * @param {(view: View, verb: Verb) => void} onCommand
 */
export function card(view, recent, onCommand) {
  const cls = phaseClass(view)
  const buttons = VERBS.map((verb) =>
    h(
      'button',
      {
        type: 'button',
        class: `command ${verb}`,
        'data-verb': verb,
        disabled: !allowed(view, verb),
        onclick: () => {
          onCommand(view, verb)
        },
      },
      verb.charAt(0).toUpperCase() + verb.slice(1),
    ),
  )
  const checks = view.threshold > 0 ? `${view.failedChecks}/${view.threshold}` : '-'
  return h(
    'article',
    { class: `canary ${cls}`, 'data-key': view.key },
    h(
      'div',
      { class: 'card-head' },
      h('h2', {}, view.name, h('span', { class: 'namespace' }, view.namespace)),
      h(
        'span',
        { class: `phase ${cls}`, 'data-phase': view.phase },
        view.paused ? `${view.phase} (paused)` : view.phase,
      ),
    ),
    view.target !== '' && h('p', { class: 'target' }, `deployment/${view.target}`),
    view.invalid !== undefined && h('p', { class: 'invalid' }, `Invalid: ${view.invalid}`),
    view.pending && h('p', { class: 'pending' }, 'A new revision is waiting to roll out.'),
    view.message !== '' && h('p', { class: 'message' }, view.message),
    h(
      'div',
      { class: 'weight-row' },
      weightBar(view),
      h('span', { class: 'weight' }, percent(view.weight)),
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Step'),
      h(
        'dd',
        { class: 'step' },
        view.steps.length > 0 ? `${currentStep(view)}/${view.steps.length}` : '-',
      ),
      h('dt', {}, 'Failed checks'),
      h('dd', { class: `checks${view.failedChecks > 0 ? ' bad' : ''}` }, checks),
      h('dt', {}, 'Interval'),
      h('dd', {}, stepTimer(view)),
    ),
    measurementsTable(view),
    h('h3', {}, 'Events'),
    eventList(recent),
    h('div', { class: 'commands' }, buttons),
  )
}

/**
 * The card element of a Canary on the page, if any.
 * @param {string} key
 * @returns {Element | null}
 */
export function cardOf(key) {
  return document.querySelector(`article[data-key="${CSS.escape(key)}"]`)
}

/** Moves the clocks (time in step, ages) without redrawing the cards. */
export function tick() {
  for (const el of document.querySelectorAll('[data-since]')) {
    const since = el.getAttribute('data-since')
    const interval = el.getAttribute('data-interval') ?? ''
    el.textContent = `${age(since)} / ${interval} in this step`
  }
  for (const el of document.querySelectorAll('[data-age]')) {
    el.textContent = age(el.getAttribute('data-age'))
  }
}
