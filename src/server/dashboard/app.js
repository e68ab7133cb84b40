// fledge dashboard: plain ES modules, no build step, no external URLs.
// Data: GET /api/v1/canaries, /api/v1/events, /api/v1/problems; live: EventSource /api/v1/watch.
// Commands: POST /api/v1/canaries/NS/NAME/commands with the token kept in sessionStorage.
/* global document, sessionStorage, fetch, EventSource, setTimeout, clearTimeout, setInterval */
import { card, cardOf, h, tick } from './render.js'

/** @typedef {import('./render.js').View} View */
/** @typedef {import('./render.js').FledgeEvent} FledgeEvent */
/** @typedef {import('./render.js').Verb} Verb */

const TOKEN_KEY = 'fledge.token'
const EVENTS_KEPT = 20
const RECONNECT_MS = 2000

/** @type {Map<string, View>} */
const views = new Map()
/** @type {Map<string, FledgeEvent[]>} oldest first */
const events = new Map()

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
function $(id) {
  const el = document.getElementById(id)
  if (el === null) throw new Error(`#${id} is missing from index.html`)
  return el
}

const tokenDialog = /** @type {HTMLDialogElement} */ ($('token-dialog'))
const tokenInput = /** @type {HTMLInputElement} */ ($('token-input'))

// ---- rendering ----

/** @param {View} view */
const cardFor = (view) =>
  card(view, events.get(view.key) ?? [], (v, verb) => {
    void sendCommand(v, verb)
  })

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
  main.replaceChildren(
    ...[...views.values()].sort((a, b) => a.key.localeCompare(b.key)).map(cardFor),
  )
}

/** @param {string} key */
function renderOne(key) {
  const old = cardOf(key)
  const view = views.get(key)
  if (old === null || view === undefined) renderAll()
  else old.replaceWith(cardFor(view))
}

/**
 * Manifest problems (file, line, object, message), as the local platform reports them.
 * @param {unknown[]} items
 */
function renderProblems(items) {
  $('problems').hidden = items.length === 0
  $('problem-list').replaceChildren(
    ...items.map((p) => {
      if (typeof p !== 'object' || p === null) return h('li', {}, String(p))
      const o =
        /** @type {{ file?: unknown, line?: unknown, object?: unknown, message?: unknown }} */ (p)
      const file = typeof o.file === 'string' ? o.file : ''
      const where = typeof o.line === 'number' && file !== '' ? `${file}:${String(o.line)}` : file
      const what = [
        typeof o.object === 'string' ? o.object : '',
        typeof o.message === 'string' ? o.message : JSON.stringify(p),
      ]
        .filter((x) => x !== '')
        .join(': ')
      return h('li', {}, where === '' ? what : `${where}: ${what}`)
    }),
  )
}

// ---- notices and the token ----

/** @type {ReturnType<typeof setTimeout> | undefined} */
let noticeTimer
/**
 * @param {string} text
 * @param {'info' | 'ok' | 'error'} kind
 */
function notice(text, kind) {
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
  $('token-button').textContent = getToken() === '' ? 'Set token' : 'Token set ✓'
}

/**
 * Asks for the token in the dialog; resolves to it, or to '' when cancelled.
 * @param {string} [reason]
 * @returns {Promise<string>}
 */
function askToken(reason) {
  const why = $('token-reason')
  why.hidden = reason === undefined
  why.textContent = reason ?? ''
  tokenInput.value = getToken()
  return new Promise((resolve) => {
    const onClose = () => {
      tokenDialog.removeEventListener('close', onClose)
      const token = tokenInput.value.trim()
      if (tokenDialog.returnValue !== 'save' || token === '') {
        resolve('')
        return
      }
      sessionStorage.setItem(TOKEN_KEY, token)
      updateTokenButton()
      resolve(token)
    }
    tokenDialog.addEventListener('close', onClose)
    tokenDialog.returnValue = ''
    tokenDialog.showModal()
    tokenInput.focus()
  })
}

/**
 * POSTs a command; on a 401 asks for the token again, once.
 * @param {View} view
 * @param {Verb} verb
 */
async function sendCommand(view, verb) {
  let token = getToken()
  if (token === '') token = await askToken(`Enter the token to ${verb} ${view.key}.`)
  const path = `/api/v1/canaries/${encodeURIComponent(view.namespace)}/${encodeURIComponent(view.name)}/commands`
  for (let attempt = 0; attempt < 2 && token !== ''; attempt++) {
    /** @type {Response} */
    let res
    try {
      res = await fetch(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ command: verb }),
      })
    } catch {
      notice(`${verb} ${view.key}: the controller cannot be reached`, 'error')
      return
    }
    const body = /** @type {{ error?: string, command?: string }} */ (await jsonOf(res))
    if (res.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY)
      updateTokenButton()
      notice('The controller refused the token (401).', 'error')
      token = await askToken(
        'The controller refused the token (401): enter the one from <stateDir>/token.',
      )
      continue
    }
    if (!res.ok) {
      notice(`${verb} ${view.key}: ${body.error ?? `HTTP ${String(res.status)}`}`, 'error')
      return
    }
    notice(`${verb} requested for ${view.key} (${body.command ?? verb})`, 'ok')
    return
  }
}

// ---- data and the live stream ----

/**
 * @param {string} path
 * @returns {Promise<{ items?: unknown[] }>}
 */
async function getJson(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } })
  if (!res.ok) throw new Error(`${path}: HTTP ${String(res.status)}`)
  return /** @type {{ items?: unknown[] }} */ (await jsonOf(res))
}

/**
 * A response body as JSON, or {} when it is not.
 * @param {Response} res
 * @returns {Promise<unknown>}
 */
async function jsonOf(res) {
  try {
    /** @type {unknown} */
    const value = await res.json()
    return value
  } catch {
    return {}
  }
}

/** @param {unknown} e */
function addEvent(e) {
  const ev = /** @type {Partial<FledgeEvent> | null} */ (e)
  if (typeof ev?.canary !== 'string' || typeof ev.reason !== 'string') return
  const list = events.get(ev.canary) ?? []
  list.push(/** @type {FledgeEvent} */ (ev))
  if (list.length > EVENTS_KEPT) list.splice(0, list.length - EVENTS_KEPT)
  events.set(ev.canary, list)
}

/** @param {unknown} v */
const isView = (v) => {
  const o = /** @type {Partial<View> | null} */ (v)
  return typeof o?.key === 'string' && typeof o.done === 'boolean'
}

async function refresh() {
  const [canaries, recent, problems] = await Promise.all([
    getJson('/api/v1/canaries'),
    getJson('/api/v1/events'),
    getJson('/api/v1/problems').catch(() => ({ items: [] })),
  ])
  views.clear()
  for (const v of canaries.items ?? []) {
    if (isView(v)) views.set(/** @type {View} */ (v).key, /** @type {View} */ (v))
  }
  events.clear()
  for (const e of recent.items ?? []) addEvent(e)
  renderProblems(problems.items ?? [])
  renderAll()
}

/**
 * @param {'live' | 'down' | 'connecting'} state
 * @param {string} text
 */
function setConnection(state, text) {
  const el = $('connection')
  el.className = `connection ${state}`
  el.textContent = text
}

/** @type {Promise<void> | undefined} */
let refreshing
function scheduleRefresh() {
  refreshing ??= refresh()
    .catch(() => {
      setConnection('down', 'controller unreachable')
    })
    .finally(() => {
      refreshing = undefined
    })
}

/** @param {string} data */
function parse(data) {
  try {
    return /** @type {unknown} */ (JSON.parse(data))
  } catch {
    return undefined
  }
}

function connect() {
  const source = new EventSource('/api/v1/watch')
  source.addEventListener('open', () => {
    setConnection('live', 'live')
    // Catch up on whatever changed while the stream was down.
    scheduleRefresh()
  })
  source.addEventListener('canary', (msg) => {
    const data = parse(/** @type {MessageEvent<string>} */ (msg).data)
    if (isView(data)) {
      const view = /** @type {View} */ (data)
      views.set(view.key, view)
      renderOne(view.key)
    } else scheduleRefresh()
  })
  source.addEventListener('event', (msg) => {
    const data = parse(/** @type {MessageEvent<string>} */ (msg).data)
    addEvent(data)
    const key = /** @type {Partial<FledgeEvent> | null} */ (data)?.canary
    if (typeof key === 'string' && views.has(key)) renderOne(key)
  })
  source.addEventListener('error', () => {
    setConnection('down', 'reconnecting…')
    // EventSource retries by itself, unless the server answered with an error: then start over.
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, RECONNECT_MS)
  })
}

$('token-button').addEventListener('click', () => {
  void askToken()
})
$('token-cancel').addEventListener('click', () => {
  tokenDialog.close('')
})
updateTokenButton()
scheduleRefresh()
connect()
setInterval(tick, 1000)
