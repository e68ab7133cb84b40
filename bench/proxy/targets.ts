/** The benchmark's targets: the peers (nginx, HAProxy), fledge, and Node references. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fledgeFiles, haproxy, nginxProxy } from './configs.js'

/** What a target needs to start. */
export interface TargetContext {
  /** Temp dir for configs and pid files. */
  readonly dir: string
  /** The fledge checkout whose `bin/fledge.js proxy` runs. */
  readonly fledgeRoot: string
  readonly upstreamA: number
  readonly upstreamB: number
}

export interface Target {
  readonly name: string
  readonly label: string
  /** Whether it runs without --all. */
  readonly byDefault: boolean
  /** The command that starts it listening on `port`. */
  command(ctx: TargetContext, port: number, adminPort: number): string[]
}

const sub = (ctx: TargetContext, name: string): string => {
  const d = join(ctx.dir, name)
  mkdirSync(d, { recursive: true })
  return d
}

const node = (script: string, ...rest: string[]): string[] => [
  process.execPath,
  '--import',
  'tsx',
  script,
  ...rest,
]

function fledge(name: string, label: string, extra: string[]): Target {
  return {
    name,
    label,
    byDefault: true,
    command: (ctx, port, adminPort) => {
      const { disco, splits } = fledgeFiles(ctx.upstreamA, ctx.upstreamB)
      const d = sub(ctx, `disco-${name}`)
      for (const [file, text] of Object.entries(disco)) writeFileSync(join(d, file), text)
      const splitsFile = join(ctx.dir, `splits-${name}.yaml`)
      writeFileSync(splitsFile, splits)
      return [
        process.execPath,
        join(ctx.fledgeRoot, 'bin/fledge.js'),
        'proxy',
        '--disco',
        d,
        '--splits',
        splitsFile,
        '--listen',
        `127.0.0.1:${port}`,
        '--admin',
        `127.0.0.1:${adminPort}`,
        ...extra,
      ]
    },
  }
}

export const TARGETS: readonly Target[] = [
  {
    name: 'nginx',
    label: 'nginx, 1 worker',
    byDefault: true,
    command: (ctx, port) => {
      const d = sub(ctx, 'nginx-proxy')
      writeFileSync(join(d, 'nginx.conf'), nginxProxy(d, port, ctx.upstreamA, ctx.upstreamB))
      return ['nginx', '-e', join(d, 'error.log'), '-p', d, '-c', join(d, 'nginx.conf')]
    },
  },
  {
    name: 'haproxy',
    label: 'HAProxy, nbthread 1',
    byDefault: true,
    command: (ctx, port) => {
      const f = join(ctx.dir, 'haproxy.cfg')
      writeFileSync(f, haproxy(port, ctx.upstreamA, ctx.upstreamB))
      return ['haproxy', '-db', '-f', f]
    },
  },
  fledge('fledge', 'fledge proxy (default HTTP/1.1 engine)', []),
  fledge('fledge-node', 'fledge proxy --http1 node (node:http + undici)', ['--http1', 'node']),
  {
    name: 'http1',
    label: 'http1 engine alone (bench harness)',
    byDefault: false,
    command: (ctx, port) =>
      node(
        'bench/proxy/http1-harness.ts',
        String(port),
        String(ctx.upstreamA),
        String(ctx.upstreamB),
      ),
  },
  {
    name: 'floor',
    label: 'raw TCP relay, no HTTP (Node floor)',
    byDefault: false,
    command: (ctx, port) => node('bench/proxy/relay-floor.ts', String(port), String(ctx.upstreamA)),
  },
  {
    name: 'naive',
    label: 'naive node:http + undici proxy',
    byDefault: false,
    command: (ctx, port) =>
      node(
        'bench/proxy/naive-proxy.ts',
        String(port),
        String(ctx.upstreamA),
        String(ctx.upstreamB),
      ),
  },
]
