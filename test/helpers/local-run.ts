import { spawn, type ChildProcess } from 'node:child_process'
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { tuneForDemo } from '../../src/run/demo.js'
import type { CanaryView } from '../../src/server/views.js'

/** A copy of the booksapp example, run by `fledge run` as a real process on free ports. */
export class LocalRun {
  readonly dir: string
  readonly home: string
  child: ChildProcess | undefined
  api = ''
  proxy = ''
  output = ''

  private constructor(dir: string, home: string) {
    this.dir = dir
    this.home = home
  }

  static async create(intervalMs: number, opts: { windowMs?: number } = {}): Promise<LocalRun> {
    const dir = await mkdtemp(join(tmpdir(), 'fledge-e2e-'))
    await cp('examples/booksapp/local', dir, {
      recursive: true,
      filter: (s) => !s.includes('/.fledge'),
    })
    await tuneForDemo(dir, intervalMs, opts.windowMs)
    return new LocalRun(dir, await mkdtemp(join(tmpdir(), 'fledge-home-')))
  }

  async start(): Promise<void> {
    this.output = ''
    const child = spawn(
      process.execPath,
      [
        'bin/fledge.js',
        'run',
        this.dir,
        '--listen',
        '127.0.0.1:0',
        '--proxy',
        '127.0.0.1:0',
        '--admin',
        '127.0.0.1:0',
        '--log-level',
        'warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: this.home } },
    )
    this.child = child
    child.stdout.on('data', (c: Buffer) => (this.output += c.toString()))
    child.stderr.on('data', (c: Buffer) => (this.output += c.toString()))
    await this.until(
      'the banner',
      () => Promise.resolve(/API\s+http:\/\/127\.0\.0\.1:\d+/.test(this.output)),
      30_000,
    )
    const banner = this.output.slice(this.output.lastIndexOf('fledge is running'))
    this.api = /API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1] ?? ''
    this.proxy = /proxy\s+http:\/\/(127\.0\.0\.1:\d+)/.exec(banner)?.[1] ?? ''
  }

  /** SIGKILL: nothing gets to clean up. */
  async kill9(): Promise<void> {
    const child = this.child
    if (child === undefined) return
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGKILL')
    await exited
    this.child = undefined
  }

  async stop(): Promise<void> {
    const child = this.child
    if (child !== undefined) {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGINT')
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(t)
    }
    await rm(this.dir, { recursive: true, force: true })
    await rm(this.home, { recursive: true, force: true })
  }

  async token(): Promise<string> {
    return (await readFile(join(this.dir, '.fledge', 'token'), 'utf8')).trim()
  }

  async get(path: string): Promise<unknown> {
    const res = await request(`${this.api}${path}`)
    return res.body.json()
  }

  async canary(name: string): Promise<CanaryView> {
    return ((await this.get(`/api/v1/canaries/default/${name}`)) as { view: CanaryView }).view
  }

  async setImage(deployment: string, image: string): Promise<void> {
    const res = await request(`${this.api}/api/v1/deployments/default/${deployment}/image`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await this.token()}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ container: 'service', image }),
    })
    if (res.statusCode !== 200)
      throw new Error(`set image: ${res.statusCode} ${await res.body.text()}`)
    await res.body.dump()
  }

  /** Which version of books answers through the proxy. */
  async booksVersion(): Promise<string> {
    const res = await request(`http://${this.proxy}/ping`, { headers: { host: 'books:7002' } })
    await res.body.dump()
    return String(res.headers['x-app-version'] ?? res.statusCode)
  }

  async until(what: string, cond: () => Promise<boolean>, ms = 90_000): Promise<void> {
    const end = Date.now() + ms
    for (;;) {
      if (await cond().catch(() => false)) return
      if (Date.now() > end)
        throw new Error(
          `timed out waiting for ${what}\n--- output ---\n${this.output.slice(-3000)}`,
        )
      await new Promise((r) => setTimeout(r, 100))
    }
  }
}
