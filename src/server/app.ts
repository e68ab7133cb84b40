import { timingSafeEqual } from 'node:crypto'
import express, { type NextFunction, type Request, type Response } from 'express'
import type { Registry } from 'prom-client'
import { isCommandVerb } from '../controller/commands.js'
import { ErrorCodes, FledgeError, errorMessage } from '../util/errors.js'
import { canaryView, type CanaryView } from './views.js'

/** What the API serves; local mode (and later kubernetes mode) implements it. */
export interface ApiBackend {
  /** Every Canary as stored (spec and status), by key. */
  canaries(): Promise<Map<string, unknown>>
  /** The current pod-template hash of a Canary's target, to tell a pending rollout. */
  targetRevision(key: string): string | undefined
  command(key: string, verb: string): Promise<string>
  events(canary?: string): readonly unknown[]
  /** Called on every Canary status change and event; returns an unsubscribe function. */
  subscribe(listener: (kind: 'canary' | 'event', data: unknown) => void): () => void
  problems(): readonly unknown[]
  workloads(): unknown
  apply(name: string, text: string): Promise<string>
  setImage(
    namespace: string,
    deployment: string,
    container: string,
    image: string,
  ): Promise<{ file: string; previous: string } | undefined>
}

export interface ApiOptions {
  readonly backend: ApiBackend
  readonly token: string
  readonly registry: Registry
  /** Static files of the dashboard; served at /. */
  readonly dashboardDir?: string | undefined
}

/** The controller's HTTP API. Reads are open on loopback; anything that changes state needs the token. */
export function createApiApp(opts: ApiOptions): express.Express {
  const { backend } = opts
  const app = express()
  app.disable('x-powered-by')
  app.use(express.json({ limit: '1mb' }))
  app.use(express.text({ type: ['application/yaml', 'text/yaml', 'text/plain'], limit: '1mb' }))

  const authorized = (req: Request, res: Response, next: NextFunction): void => {
    const given = Buffer.from((req.headers.authorization ?? '').replace(/^Bearer\s+/i, ''))
    const want = Buffer.from(opts.token)
    if (given.length === want.length && timingSafeEqual(given, want)) {
      next()
      return
    }
    res.status(401).json({
      error: 'a valid token is required: Authorization: Bearer <token from the state directory>',
    })
  }

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true })
  })
  app.get('/metrics', async (_req, res) => {
    res.type(opts.registry.contentType).send(await opts.registry.metrics())
  })
  app.get('/api/v1/canaries', async (_req, res) => {
    res.json({ items: views(backend, await backend.canaries()) })
  })
  app.get('/api/v1/canaries/:namespace/:name', async (req, res) => {
    const key = `${param(req, 'namespace')}/${param(req, 'name')}`
    const raw = (await backend.canaries()).get(key)
    if (raw === undefined) {
      res.status(404).json({ error: `canary ${key} not found` })
      return
    }
    res.json({
      view: canaryView(key, raw, backend.targetRevision(key)),
      object: raw,
      events: backend.events(key),
    })
  })
  app.post('/api/v1/canaries/:namespace/:name/commands', authorized, async (req, res) => {
    const key = `${param(req, 'namespace')}/${param(req, 'name')}`
    const verb = (req.body as { command?: unknown } | undefined)?.command
    if (typeof verb !== 'string' || !isCommandVerb(verb)) {
      res
        .status(400)
        .json({ error: 'body.command must be one of promote, abort, pause, resume, retry' })
      return
    }
    if (!(await backend.canaries()).has(key)) {
      res.status(404).json({ error: `canary ${key} not found` })
      return
    }
    res.status(202).json({ command: await backend.command(key, verb) })
  })
  app.get('/api/v1/events', (req, res) => {
    const canary = typeof req.query['canary'] === 'string' ? req.query['canary'] : undefined
    res.json({ items: backend.events(canary) })
  })
  app.get('/api/v1/problems', (_req, res) => {
    res.json({ items: backend.problems() })
  })
  app.get('/api/v1/workloads', (_req, res) => {
    res.json({ items: backend.workloads() })
  })
  app.get('/api/v1/watch', (req, res) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    })
    res.write(': connected\n\n')
    const unsubscribe = backend.subscribe((kind, data) => {
      res.write(`event: ${kind}\ndata: ${JSON.stringify(data)}\n\n`)
    })
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000)
    req.on('close', () => {
      clearInterval(ping)
      unsubscribe()
    })
  })
  app.post('/api/v1/manifests/:file', authorized, async (req, res) => {
    const text = typeof req.body === 'string' ? req.body : ''
    res.json({ file: await backend.apply(param(req, 'file'), text) })
  })
  app.post('/api/v1/deployments/:namespace/:name/image', authorized, async (req, res) => {
    const body = req.body as { container?: unknown; image?: unknown } | undefined
    if (
      typeof body?.container !== 'string' ||
      typeof body.image !== 'string' ||
      body.image === ''
    ) {
      res.status(400).json({ error: 'body needs container and image strings' })
      return
    }
    const changed = await backend.setImage(
      param(req, 'namespace'),
      param(req, 'name'),
      body.container,
      body.image,
    )
    res.json(changed === undefined ? { changed: false } : { changed: true, ...changed })
  })
  if (opts.dashboardDir !== undefined) app.use(express.static(opts.dashboardDir))

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not found' })
  })
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = err instanceof FledgeError ? statusFor(err) : isBodyError(err) ? 400 : 500
    res.status(status).json({ error: status === 500 ? 'internal error' : errorMessage(err) })
  })
  return app
}

function views(backend: ApiBackend, canaries: Map<string, unknown>): CanaryView[] {
  return [...canaries]
    .map(([key, raw]) => canaryView(key, raw, backend.targetRevision(key)))
    .sort((a, b) => a.key.localeCompare(b.key))
}

const STATUS: Partial<Record<FledgeError['code'], number>> = {
  [ErrorCodes.NOT_FOUND]: 404,
  [ErrorCodes.CONFLICT]: 409,
  [ErrorCodes.INVALID_SPEC]: 422,
  [ErrorCodes.INVALID_YAML]: 422,
  [ErrorCodes.USAGE]: 422,
}

function statusFor(err: FledgeError): number {
  return STATUS[err.code] ?? 500
}

/** A route parameter as one string (Express 5 types allow arrays for wildcards). */
function param(req: Request, name: string): string {
  const v: unknown = req.params[name]
  return typeof v === 'string' ? v : ''
}

function isBodyError(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    'type' in err &&
    (err as { type?: unknown }).type === 'entity.parse.failed'
  )
}
