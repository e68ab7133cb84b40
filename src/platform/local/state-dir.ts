import { mkdir, open, readdir, readFile, rename, unlink, appendFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { errorMessage, ErrorCodes, FledgeError } from '../../util/errors.js'

/**
 * The state directory: everything local mode needs to resume after `kill -9`. Every write goes to a
 * temporary file that is fsynced and then renamed over the old one, so a reader sees the old
 * content or the new, never a torn file.
 */
export class StateDir {
  readonly root: string

  constructor(root: string) {
    this.root = root
  }

  path(...parts: string[]): string {
    return join(this.root, ...parts)
  }

  async init(): Promise<void> {
    await mkdir(this.root, { recursive: true })
    // The state directory usually sits inside a Git working tree: keep it out of commits.
    await this.writeText('.gitignore', '*\n')
  }

  async readJson<T>(...parts: string[]): Promise<T | undefined> {
    const file = this.path(...parts)
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new FledgeError(ErrorCodes.FILE, `${file}: ${errorMessage(err)}`, { cause: err })
    }
    try {
      return JSON.parse(text) as T
    } catch (err) {
      throw new FledgeError(ErrorCodes.FILE, `${file}: not valid JSON: ${errorMessage(err)}`, {
        cause: err,
      })
    }
  }

  async writeJson(value: unknown, ...parts: string[]): Promise<void> {
    await this.writeText(parts.join('/'), `${JSON.stringify(value, null, 2)}\n`)
  }

  async writeText(relative: string, text: string): Promise<void> {
    const file = this.path(relative)
    await mkdir(dirname(file), { recursive: true })
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`
    const handle = await open(tmp, 'w')
    try {
      await handle.writeFile(text)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, file)
    const dir = await open(dirname(file), 'r')
    try {
      await dir.sync()
    } finally {
      await dir.close()
    }
  }

  async remove(...parts: string[]): Promise<void> {
    try {
      await unlink(this.path(...parts))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
  }

  async list(...parts: string[]): Promise<string[]> {
    try {
      return (await readdir(this.path(...parts))).filter((n) => !n.endsWith('.tmp')).sort()
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
  }

  /** Appends one line (an event log); a torn last line is skipped by readers. */
  async appendLine(relative: string, line: string): Promise<void> {
    const file = this.path(relative)
    await mkdir(dirname(file), { recursive: true })
    await appendFile(file, `${line}\n`)
  }
}

/** A key such as `test/podinfo` as a file name. */
export function keyFile(key: string): string {
  return `${key.replace('/', '__')}.json`
}

/** The key a {@link keyFile} name stands for. */
export function fileKey(file: string): string {
  return file.replace(/\.json$/, '').replace('__', '/')
}
