/**
 * Watches files and directories for changes: fs.watch for promptness, plus a periodic stat of
 * everything (fs.watch misses events on some filesystems and loses a file replaced by rename).
 * Bursts of events are debounced into one call.
 */
import { watch, type FSWatcher } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

export interface WatchOptions {
  readonly debounceMs: number
  readonly pollMs: number
}

export interface Watch {
  close(): void
}

export function watchPaths(
  paths: readonly string[],
  onChange: () => void,
  opts: WatchOptions,
): Watch {
  let timer: NodeJS.Timeout | undefined
  let closed = false
  const fire = (): void => {
    if (closed) return
    if (timer !== undefined) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = undefined
      if (!closed) onChange()
    }, opts.debounceMs)
  }
  const watchers: FSWatcher[] = []
  for (const p of paths) {
    try {
      // A file is watched through its directory, so replacing it (editors, atomic writes) is seen.
      watchers.push(watch(p, { persistent: false }, fire))
    } catch {
      try {
        const name = basename(p)
        watchers.push(
          watch(dirname(p), { persistent: false }, (_e, f) => {
            if (f === null || f === name) fire()
          }),
        )
      } catch {
        // The poll below still covers it.
      }
    }
  }
  for (const w of watchers) w.on('error', () => undefined)
  let last: string | undefined
  let polling = false
  const poll = setInterval(() => {
    if (polling) return
    polling = true
    signature(paths)
      .then((sig) => {
        if (last !== undefined && sig !== last) fire()
        last = sig
      })
      .catch(() => undefined)
      .finally(() => {
        polling = false
      })
  }, opts.pollMs)
  poll.unref()
  signature(paths)
    .then((sig) => {
      last ??= sig
    })
    .catch(() => undefined)
  return {
    close() {
      closed = true
      if (timer !== undefined) clearTimeout(timer)
      clearInterval(poll)
      for (const w of watchers) w.close()
    },
  }
}

/** Names, sizes and modification times of everything under the paths (one level deep). */
async function signature(paths: readonly string[]): Promise<string> {
  const parts: string[] = []
  for (const p of paths) {
    try {
      const st = await stat(p)
      if (!st.isDirectory()) {
        parts.push(`${p}:${st.size}:${st.mtimeMs}`)
        continue
      }
      for (const name of (await readdir(p)).sort()) {
        try {
          const s = await stat(join(p, name))
          parts.push(`${p}/${name}:${s.size}:${s.mtimeMs}`)
        } catch {
          parts.push(`${p}/${name}:gone`)
        }
      }
    } catch {
      parts.push(`${p}:missing`)
    }
  }
  return parts.join('\n')
}
