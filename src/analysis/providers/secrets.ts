import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ErrorCodes, FledgeError } from '../../util/errors.js'
import type { PrometheusAuth } from './prometheus.js'

/** Reads a Secret's decoded data; the platform implements it (the API server, or files). */
export interface SecretReader {
  /** Rejects with a NOT_FOUND FledgeError when the secret does not exist. */
  read(
    namespace: string,
    name: string,
    signal: AbortSignal,
  ): Promise<Readonly<Record<string, string>>>
}

/**
 * Local mode: secrets are YAML files in a directory, `<dir>/<namespace>/<name>.yaml` or
 * `<dir>/<name>.yaml`, holding either a Kubernetes Secret (`data` base64, `stringData` plain) or
 * a plain mapping of keys to strings.
 */
export function createFileSecretReader(dir: string): SecretReader {
  return {
    async read(namespace, name, signal) {
      for (const file of [join(dir, namespace, `${name}.yaml`), join(dir, `${name}.yaml`)]) {
        let text: string
        try {
          text = await readFile(file, { encoding: 'utf8', signal })
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue
          throw new FledgeError(
            ErrorCodes.FILE,
            `secret ${namespace}/${name}: cannot read ${file}`,
            {
              cause: err,
            },
          )
        }
        return secretData(parse(text) as unknown, `${namespace}/${name}`)
      }
      throw new FledgeError(
        ErrorCodes.NOT_FOUND,
        `secret ${namespace}/${name} not found in ${dir} (expected ${name}.yaml)`,
      )
    },
  }
}

/** The string data of a Secret manifest or plain mapping. */
export function secretData(doc: unknown, what: string): Record<string, string> {
  if (typeof doc !== 'object' || doc === null) {
    throw new FledgeError(ErrorCodes.INVALID_SPEC, `secret ${what}: expected a mapping`)
  }
  const rec = doc as Record<string, unknown>
  const out: Record<string, string> = {}
  if (rec['kind'] === 'Secret') {
    for (const [k, v] of Object.entries(asRecord(rec['data']))) {
      if (typeof v === 'string') out[k] = Buffer.from(v, 'base64').toString('utf8')
    }
    for (const [k, v] of Object.entries(asRecord(rec['stringData']))) {
      if (typeof v === 'string') out[k] = v
    }
    return out
  }
  for (const [k, v] of Object.entries(rec)) {
    if (typeof v === 'string' || typeof v === 'number') out[k] = String(v)
  }
  return out
}

/** Flagger's keys: `token` (bearer) or `username` + `password` (basic). */
export function prometheusAuthFrom(
  data: Readonly<Record<string, string>>,
  what: string,
): PrometheusAuth {
  const token = data['token']
  if (token !== undefined && token !== '') return { bearerToken: token.trim() }
  const username = data['username']
  const password = data['password']
  if (username !== undefined && password !== undefined) return { username, password }
  throw new FledgeError(
    ErrorCodes.INVALID_SPEC,
    `secret ${what}: expected key "token", or "username" and "password"`,
  )
}

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {}
}
