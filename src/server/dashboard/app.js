// fledge dashboard: plain ES module, no build step, no external URLs.
// Data: GET /api/v1/canaries, /api/v1/events, /api/v1/problems; live: EventSource /api/v1/watch.
// Commands: POST /api/v1/canaries/NS/NAME/commands with the token kept in sessionStorage.

const TOKEN_KEY = 'fledge.token'
const EVENTS_PER_CANARY = 5
const RECONNECT_MS = 2000

/** @type {Map<string, any>} views by key */
const views = new Map()
/** @type {Map<string, any[]>} recent events by canary key, oldest first */
const events = new Map()

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id))

/** Builds an element; strings become text nodes, so nothing from the API is parsed as HTML. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue
    if (k === 'class') el.className = v
    else if (k === 'style') el.setAttribute('style', v)
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v)
    else el.setAttribute(k, v === true ? '' : String(v))
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue
    el.append(c instanceof Node ? c : document.createTextNode(String(c)))
  }
  return el
}

// ---- formatting (the same rules as the CLI) ----

function formatDuration(ms) {
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

function age(iso) {
  const t = Date.parse(iso ?? '')
  if (Number.isNaN(t)) return '-'
  const ms = Date.now() - t
  return ms < 1000 ? '0s' : formatDuration(ms)
}

const percent = (p) => `${Math.round(p * 10) / 10}%`

function formatValue(v) {
  if (typeof v !== 'number') return '-'
  if (Number.isInteger(v)) return String(v)
  return Math.abs(v) >= 100 ? v.toFixed(1) : String(Math.round(v * 1000) / 1000)
}

const currentStep = (view) => view.steps.filter((s) => s <= view.weight + 1e-9).length

function phaseClass(view) {
  if (view.invalid) return 'bad'
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

/** The newest measurement of each metric. */
function latestMeasurements(ms) {
  const latest = new Map()
  for (const m of ms ?? []) {
    const seen = latest.get(m.metric)
    if (!seen || Date.parse(m.at) >= Date.parse(seen.at)) latest.set(m.metric, m)
  }
  return [...latest.values()]
}

// ---- which commands make sense now (the controller ignores the others, with an event) ----

function allowed(view, verb) {
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
    default:
      return false
  }
}

// ---- rendering ----

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

function stepTimer(view) {
  const analysing = view.phase === 'Progressing' || view.phase === 'WaitingPromotion'
  if (!(view.intervalMs > 0)) return h('span', {}, '-')
  const interval = formatDuration(view.intervalMs)
  if (!analysing || !view.stepStartedAt) return h('span', {}, `every ${interval}`)
  return h(
    'span',
    { 'data-since': view.stepStartedAt, 'data-interval': interval },
    `${age(view.stepStartedAt)} / ${interval} in this step`,
  )
}

function measurementsTable(view) {
  const ms = latestMeasurements(view.measurements)
  if (ms.length === 0) return h('p', { class: 'muted' }, 'No measurements yet.')
  return h(
    'table',
    { class: 'measurements' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'Metric'),
        h('th', {}, 'Value'),
        h('th', {}, 'Outcome'),
        h('th', {}, 'Weight'),
        h('th', {}, 'Age'),
      ),
    ),
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
          h('td', { class: 'num' }, typeof m.weight === 'number' ? percent(m.weight / 10) : '-'),
          h('td', { class: 'num', 'data-age': m.at }, age(m.at)),
        ),
      ),
    ),
  )
}

function eventList(key) {
  const list = (events.get(key) ?? []).slice(-EVENTS_PER_CANARY).reverse()
  if (list.length === 0) return h('p', { class: 'muted' }, 'No events yet.')
  return h(
    'ul',
    { class: 'events' },
    list.map((e) =>
      h(
        'li',
        { class: e.type === 'Warning' ? 'warning' : '' },
        h('span', { class: 'age', 'data-age': e.time }, age(e.time)),
        h('span', { class: 'reason' }, e.reason),
        h('span', { class: 'message' }, e.message),
      ),
    ),
  )
}

function card(view) {
  const cls = phaseClass(view)
  const buttons = ['promote', 'abort', 'pause', 'resume', 'retry'].map((verb) =>
    h(
      'button',
      {
        type: 'button',
        class: `command ${verb}`,
        'data-verb': verb,
        disabled: !allowed(view, verb),
        onclick: () => void sendCommand(view, verb),
      },
      verb[0].toUpperCase() + verb.slice(1),
    ),
  )
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
        view.phase + (view.paused ? ' (paused)' : ''),
      ),
    ),
    view.target ? h('p', { class: 'target' }, `deployment/${view.target}`) : null,
    view.invalid ? h('p', { class: 'invalid' }, `Invalid: ${view.invalid}`) : null,
    view.pending ? h('p', { class: 'pending' }, 'A new revision is waiting to roll out.') : null,
    view.message ? h('p', { class: 'message' }, view.message) : null,
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
        view.steps.length ? `${currentStep(view)}/${view.steps.length}` : '-',
      ),
      h('dt', {}, 'Failed checks'),
      h(
        'dd',
        { class: `checks${view.failedChecks > 0 ? ' bad' : ''}` },
        view.threshold > 0 ? `${view.failedChecks}/${view.threshold}` : '-',
      ),
      h('dt', {}, 'Interval'),
      h('dd', {}, stepTimer(view)),
    ),
    measurementsTable(view),
    h('h3', {}, 'Events'),
    eventList(view.key),
    h('div', { class: 'commands' }, buttons),
  )
}

function renderAll() {
  const main = $('canaries')
  const keys = [...views.keys()].sort()
  if (keys.length === 0) {
    main.replaceChildren(
      h(
        'p',
        { class: 'empty' },
        'No canaries yet. Add a Canary manifest to the manifests directory.',
      ),
    )
    return
  }
  main.replaceChildren(...keys.map((k) => card(views.get(k))))
}

function renderOne(key) {
  const old = document.querySelector(`article[data-key="${CSS.escape(key)}"]`)
  const view = views.get(key)
  if (!old || !view) {
    renderAll()
    return
  }
  old.replaceWith(card(view))
}

function renderProblems(items) {
  const section = $('problems')
  const list = $('problem-list')
  section.hidden = items.length === 0
  list.replaceChildren(
    ...items.map((p) => {
      if (p && typeof p === 'object') {
        const where = [p.file, p.path ?? p.field].filter(Boolean).join(': ')
        const what = p.message ?? p.error ?? JSON.stringify(p)
        return h('li', {}, where ? `${where}: ${what}` : what)
      }
      return h('li', {}, String(p))
    }),
  )
}

// ---- notices and the token ----

let noticeTimer
function notice(text, kind = 'info') {
  const el = $('notice')
  el.textContent = text
  el.className = `notice ${kind}`
  el.hidden = false
  clearTimeout(noticeTimer)
  noticeTimer = setTimeout(() => {
    el.hidden = true
  }, 8000)
}

const getToken = () => sessionStorage.getItem(TOKEN_KEY) ?? ''

function updateTokenButton() {
  $('token-button').textContent = getToken() ? 'Token set ✓' : 'Set token'
}

/** Asks for the token in the dialog; resolves to it, or to '' when cancelled. */
function askToken(reason) {
  const dialog = /** @type {HTMLDialogElement} */ ($('token-dialog'))
  const input = /** @type {HTMLInputElement} */ ($('token-input'))
  const why = $('token-reason')
  why.hidden = !reason
  why.textContent = reason ?? ''
  input.value = getToken()
  return new Promise((resolve) => {
    const done = (value) => {
      dialog.removeEventListener('close', onClose)
      resolve(value)
    }
    const onClose = () => {
      if (dialog.returnValue === 'save' && input.value.trim() !== '') {
        sessionStorage.setItem(TOKEN_KEY, input.value.trim())
        updateTokenButton()
        done(input.value.trim())
      } else done('')
    }
    dialog.addEventListener('close', onClose)
    dialog.returnValue = ''
    dialog.showModal()
    input.focus()
  })
}

async function sendCommand(view, verb) {
  let token = getToken() || (await askToken(`Enter the token to ${verb} ${view.key}.`))
  if (!token) return
  for (let attempt = 0; attempt < 2; attempt++) {
    let res
    try {
      res = await fetch(
        `/api/v1/canaries/${encodeURIComponent(view.namespace)}/${encodeURIComponent(view.name)}/commands`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ command: verb }),
        },
      )
    } catch {
      notice(`${verb} ${view.key}: the controller cannot be reached`, 'error')
      return
    }
    const body = await res.json().catch(() => ({}))
    if (res.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY)
      updateTokenButton()
      notice('The controller refused the token (401).', 'error')
      token = await askToken(
        'The controller refused the token (401): enter the one from <stateDir>/token.',
      )
      if (!token) return
      continue
    }
    if (!res.ok) {
      notice(`${verb} ${view.key}: ${body.error ?? `HTTP ${res.status}`}`, 'error')
      return
    }
    notice(`${verb} requested for ${view.key} (${body.command ?? verb})`, 'ok')
    return
  }
}

// ---- data and the live stream ----

async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } })
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`)
  return res.json()
}

function addEvent(e) {
  if (!e || typeof e.canary !== 'string') return
  const list = events.get(e.canary) ?? []
  list.push(e)
  if (list.length > 20) list.splice(0, list.length - 20)
  events.set(e.canary, list)
}

async function refresh() {
  const [canaries, recent, problems] = await Promise.all([
    getJson('/api/v1/canaries'),
    getJson('/api/v1/events'),
    getJson('/api/v1/problems').catch(() => ({ items: [] })),
  ])
  views.clear()
  for (const v of canaries.items ?? []) views.set(v.key, v)
  events.clear()
  for (const e of recent.items ?? []) addEvent(e)
  renderProblems(problems.items ?? [])
  renderAll()
}

function setConnection(state, text) {
  const el = $('connection')
  el.className = `connection ${state}`
  el.textContent = text
}

let refreshing
function scheduleRefresh() {
  refreshing ??= refresh()
    .catch(() => setConnection('down', 'controller unreachable'))
    .finally(() => {
      refreshing = undefined
    })
}

function connect() {
  const source = new EventSource('/api/v1/watch')
  source.addEventListener('open', () => {
    setConnection('live', 'live')
    // Catch up on whatever changed while the stream was down.
    scheduleRefresh()
  })
  source.addEventListener('canary', (msg) => {
    let data
    try {
      data = JSON.parse(msg.data)
    } catch {
      return
    }
    if (data && typeof data.key === 'string' && typeof data.done === 'boolean') {
      views.set(data.key, data)
      renderOne(data.key)
    } else scheduleRefresh()
  })
  source.addEventListener('event', (msg) => {
    try {
      const e = JSON.parse(msg.data)
      addEvent(e)
      if (views.has(e.canary)) renderOne(e.canary)
    } catch {
      // a malformed event is skipped
    }
  })
  source.addEventListener('error', () => {
    setConnection('down', 'reconnecting…')
    // EventSource retries by itself unless the server answered with an error: then start over.
    if (source.readyState === EventSource.CLOSED) {
      setTimeout(connect, RECONNECT_MS)
    }
  })
}

/** Moves the clocks (time in step, ages) without redrawing the cards. */
function tick() {
  for (const el of document.querySelectorAll('[data-since]')) {
    el.textContent = `${age(el.getAttribute('data-since'))} / ${el.getAttribute('data-interval')} in this step`
  }
  for (const el of document.querySelectorAll('[data-age]'))
    el.textContent = age(el.getAttribute('data-age'))
}

function start() {
  $('token-button').addEventListener('click', () => void askToken())
  $('token-cancel').addEventListener('click', () => {
    ;/** @type {HTMLDialogElement} */ ($('token-dialog')).close('')
  })
  updateTokenButton()
  scheduleRefresh()
  connect()
  setInterval(tick, 1000)
}

start()
