import { readFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { Agent, request, type Dispatcher } from 'undici'
import { ErrorCodes, FledgeError, errorMessage } from '../util/errors.js'

/** Where the controller's API listens when nothing says otherwise (`fledge run --listen`). */
export const DEFAULT_API = 'http://127.0.0.1:8880'

const START_HINT = 'start it with `npm start` or `fledge run DIR`'

/** The controller's API address and the token for calls that change state. */
export interface Endpoint {
  readonly api: string
  readonly token?: string | undefined
  /** Where the address came from, for error messages. */
  readonly source: 'flag' | 'env' | 'pointer' | 'default'
}

/** What `resolveEndpoint` looks at; injected so tests need no real home directory. */
export interface EndpointInputs {
  readonly api?: string | undefined
  readonly token?: string | undefined
  readonly env: Readonly<Record<string, string | undefined>>
  readonly home: string
}

/** The pointer file `fledge run` writes: `~/.fledge/controller.json`. */
export interface ControllerPointer {
  readonly api: string
  readonly stateDir: string
  readonly pid?: number
}

export function pointerPath(home: string): string {
  return join(home, '.fledge', 'controller.json')
}

async function readPointer(home: string): Promise<ControllerPointer | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(pointerPath(home), 'utf8'))
    if (typeof parsed !== 'object' || parsed === null) return undefined
    const { api, stateDir } = parsed as Partial<Record<string, unknown>>
    if (typeof api !== 'string' || typeof stateDir !== 'string') return undefined
    return { api, stateDir }
  } catch {
    return undefined
  }
}

async function readToken(stateDir: string): Promise<string | undefined> {
  try {
    const token = (await readFile(join(stateDir, 'token'), 'utf8')).trim()
    return token === '' ? undefined : token
  } catch {
    return undefined
  }
}

/**
 * Flags first, then FLEDGE_API / FLEDGE_TOKEN, then the pointer file. The pointer's token is used
 * only for the pointer's own controller, so a token never goes to an address it was not made for.
 */
export async function resolveEndpoint(inputs: EndpointInputs): Promise<Endpoint> {
  const envApi = nonEmpty(inputs.env['FLEDGE_API'])
  const explicitToken = nonEmpty(inputs.token) ?? nonEmpty(inputs.env['FLEDGE_TOKEN'])
  const given = nonEmpty(inputs.api) ?? envApi
  const source = nonEmpty(inputs.api) !== undefined ? 'flag' : envApi !== undefined ? 'env' : null
  const pointer = await readPointer(inputs.home)
  const api = normalizeApi(given ?? pointer?.api ?? DEFAULT_API)
  let token = explicitToken
  if (token === undefined && pointer !== undefined && normalizeApi(pointer.api) === api) {
    token = await readToken(pointer.stateDir)
  }
  return {
    api,
    token,
    source: source ?? (pointer !== undefined ? 'pointer' : 'default'),
  }
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s.trim() === '' ? undefined : s.trim()
}

/** Accepts `host:port` as well as a URL; drops a trailing slash. */
export function normalizeApi(api: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(api) ? api : `http://${api}`
  return withScheme.replace(/\/+$/, '')
}

/** The controller answered with an error status. */
export class ApiError extends FledgeError {
  readonly status: number

  constructor(status: number, message: string) {
    super(ErrorCodes.API_ERROR, message)
    this.status = status
  }
}

/** One server-sent event. */
export interface SseMessage {
  readonly event: string
  readonly data: string
}

/** Incremental parser of a text/event-stream: feed it chunks, get whole messages. */
export class SseParser {
  #buffer = ''

  push(chunk: string): SseMessage[] {
    this.#buffer += chunk.replace(/\r\n?/g, '\n')
    const out: SseMessage[] = []
    let end = this.#buffer.indexOf('\n\n')
    while (end !== -1) {
      const block = this.#buffer.slice(0, end)
      this.#buffer = this.#buffer.slice(end + 2)
      const message = parseBlock(block)
      if (message !== undefined) out.push(message)
      end = this.#buffer.indexOf('\n\n')
    }
    return out
  }
}

function parseBlock(block: string): SseMessage | undefined {
  let event = 'message'
  const data: string[] = []
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const field = colon === -1 ? line : line.slice(0, colon)
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'event') event = value
    else if (field === 'data') data.push(value)
  }
  return data.length === 0 ? undefined : { event, data: data.join('\n') }
}

async function* messages(body: AsyncIterable<unknown>): AsyncGenerator<SseMessage> {
  const parser = new SseParser()
  for await (const chunk of body) {
    for (const m of parser.push(String(chunk))) yield m
  }
}

interface CallOptions {
  readonly method: 'GET' | 'POST'
  readonly body?: string
  readonly contentType?: string
  readonly auth?: boolean
}

/** A client of the controller's HTTP API. Close it when done: it owns its connection pool. */
export class ApiClient {
  readonly endpoint: Endpoint
  readonly #dispatcher: Dispatcher
  readonly #owned: Agent | undefined

  constructor(endpoint: Endpoint, dispatcher?: Dispatcher) {
    this.endpoint = endpoint
    if (dispatcher === undefined) {
      const agent = new Agent({ keepAliveTimeout: 1000 })
      this.#owned = agent
      this.#dispatcher = agent
    } else {
      this.#owned = undefined
      this.#dispatcher = dispatcher
    }
  }

  async get(path: string): Promise<unknown> {
    return this.#call(path, { method: 'GET' })
  }

  /** POSTs JSON with the token. */
  async post(path: string, body: unknown): Promise<unknown> {
    return this.#call(path, {
      method: 'POST',
      body: JSON.stringify(body),
      contentType: 'application/json',
      auth: true,
    })
  }

  /** POSTs text (a manifest) with the token. */
  async postText(path: string, text: string, contentType: string): Promise<unknown> {
    return this.#call(path, { method: 'POST', body: text, contentType, auth: true })
  }

  /**
   * Opens GET /api/v1/watch and resolves once the controller has answered, so nothing that
   * happens after this resolves is missed; the messages then follow until the stream ends,
   * fails or `signal` aborts.
   */
  async openWatch(signal: AbortSignal): Promise<AsyncGenerator<SseMessage>> {
    // The controller pings every 15 s: a longer silence means the stream is gone.
    const res = await this.#send('/api/v1/watch', { method: 'GET' }, signal, 45_000)
    if (res.statusCode !== 200) {
      await res.body.dump()
      throw new ApiError(res.statusCode, `watch: unexpected status ${res.statusCode}`)
    }
    res.body.setEncoding('utf8')
    return messages(res.body)
  }

  async close(): Promise<void> {
    await this.#owned?.destroy()
  }

  async #call(path: string, opts: CallOptions): Promise<unknown> {
    const res = await this.#send(path, opts, undefined, 15_000)
    const text = await res.body.text()
    let parsed: unknown = text
    try {
      parsed = text === '' ? undefined : JSON.parse(text)
    } catch {
      // not JSON: keep the text for the error message
    }
    if (res.statusCode >= 400) throw this.#httpError(res.statusCode, parsed, opts.auth === true)
    return parsed
  }

  async #send(
    path: string,
    opts: CallOptions,
    signal: AbortSignal | undefined,
    bodyTimeout: number,
  ): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = { accept: 'application/json' }
    if (opts.contentType !== undefined) headers['content-type'] = opts.contentType
    if (opts.auth === true && this.endpoint.token !== undefined) {
      headers['authorization'] = `Bearer ${this.endpoint.token}`
    }
    try {
      return await request(`${this.endpoint.api}${path}`, {
        method: opts.method,
        headers,
        body: opts.body,
        dispatcher: this.#dispatcher,
        headersTimeout: 15_000,
        bodyTimeout,
        signal,
      })
    } catch (err) {
      if (signal?.aborted === true) throw err
      throw unreachable(this.endpoint, err)
    }
  }

  #httpError(status: number, body: unknown, auth: boolean): ApiError {
    const said =
      typeof body === 'object' && body !== null && 'error' in body
        ? String(body.error)
        : typeof body === 'string' && body !== ''
          ? body.trim()
          : `HTTP ${status}`
    if (status === 401 && auth) {
      return new ApiError(
        status,
        this.endpoint.token === undefined
          ? `the controller requires a token (401): pass --token TOKEN or set FLEDGE_TOKEN; \`fledge run\` writes it to <stateDir>/token (see ${pointerPath('~')})`
          : 'the controller refused the token (401): check --token / FLEDGE_TOKEN against <stateDir>/token',
      )
    }
    return new ApiError(status, said)
  }
}

function unreachable(endpoint: Endpoint, err: unknown): FledgeError {
  const code = (err as { code?: unknown }).code
  const why = typeof code === 'string' ? code : errorMessage(err)
  const from =
    endpoint.source === 'default'
      ? ' (the default address; no ~/.fledge/controller.json found)'
      : endpoint.source === 'pointer'
        ? ' (from ~/.fledge/controller.json; the controller may have stopped)'
        : ''
  return new FledgeError(
    ErrorCodes.API_UNAVAILABLE,
    `no fledge controller answers at ${endpoint.api}${from}: ${why}; ${START_HINT}`,
    { cause: err },
  )
}

/** Flags shared by every verb that talks to the controller. */
export const clientFlags = {
  api: { type: 'string' },
  token: { type: 'string' },
} as const

/** Builds a client from parsed `--api` / `--token` flags, the environment and the pointer file. */
export async function connect(flags: {
  api?: string | undefined
  token?: string | undefined
}): Promise<ApiClient> {
  const endpoint = await resolveEndpoint({
    api: flags.api,
    token: flags.token,
    env: process.env,
    home: homedir(),
  })
  return new ApiClient(endpoint)
}

/** Runs `fn` with a connected client and closes it afterwards. */
export async function withClient<T>(
  flags: { api?: string | undefined; token?: string | undefined },
  fn: (client: ApiClient) => Promise<T>,
): Promise<T> {
  const client = await connect(flags)
  try {
    return await fn(client)
  } finally {
    await client.close()
  }
}

/** `namespace/name` path segments, escaped. */
export function canaryPath(namespace: string, name: string): string {
  return `/api/v1/canaries/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`
}
