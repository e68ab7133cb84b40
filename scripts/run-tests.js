#!/usr/bin/env node
// Node 20's test runner does not discover .ts files, so list them explicitly.
// Usage: node scripts/run-tests.js [dir-or-file ...]   (default: test/)
//
// With no arguments, the end-to-end tests (test/e2e) run after the rest, one file at a time: each
// runs a whole booksapp, and two at once on a 2-core machine starve each other's timing. A last
// line sums both runs.
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawn } from 'node:child_process'

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path).sort()) collect(join(path, entry), out)
  } else if (path.endsWith('.test.ts')) {
    out.push(path)
  }
  return out
}

/** Runs node's test runner on files; resolves with its exit code and its pass/fail/skip counts. */
function run(files, concurrency) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        '--test-reporter=spec',
        `--test-concurrency=${concurrency}`,
        ...files,
      ],
      { stdio: ['inherit', 'pipe', 'inherit'] },
    )
    let text = ''
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk)
      text += chunk.toString()
    })
    child.on('exit', (code) => {
      const count = (what) => Number(new RegExp(`ℹ ${what} (\\d+)`).exec(text)?.[1] ?? 0)
      resolve({
        code: code ?? 1,
        pass: count('pass'),
        fail: count('fail'),
        skipped: count('skipped'),
      })
    })
  })
}

const roots = process.argv.slice(2)
const files = (roots.length > 0 ? roots : ['test']).flatMap((r) => collect(r, []))
if (files.length === 0) {
  console.error('no test files found under', roots.join(' ') || 'test')
  process.exit(1)
}
const e2e = roots.length > 0 ? [] : files.filter((f) => f.startsWith(join('test', 'e2e')))
const rest = files.filter((f) => !e2e.includes(f))
const results = [await run(rest, 2)]
if (e2e.length > 0) results.push(await run(e2e, 1))
const sum = (k) => results.reduce((a, r) => a + r[k], 0)
if (results.length > 1)
  console.log(`\ntotal: ${sum('pass')} passed, ${sum('fail')} failed, ${sum('skipped')} skipped`)
process.exit(results.some((r) => r.code !== 0) ? 1 : 0)
