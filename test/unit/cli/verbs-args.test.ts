import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { main } from '../../../src/cli/main.js'

/** Usage errors are found before any connection: the address below is never dialled. */
async function run(...args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await main([...args, '--api', 'http://127.0.0.1:1'], {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe('argument handling of the controller verbs', () => {
  it('rejects bad usage with exit 2 and a message naming the problem', async () => {
    const cases: [string[], RegExp][] = [
      [['status', 'a', 'b'], /at most one Canary NAME/],
      [['status', '-o', 'wide'], /-o must be one of json, yaml; got "wide"/],
      [['status', 'books', '--watch', '--timeout', 'soon'], /soon/],
      [['status', '--bogus'], /bogus/],
      [['get'], /unknown resource "": fledge get canaries/],
      [['get', 'deployments'], /unknown resource "deployments"/],
      [['get', 'canaries', '-o', 'table'], /-o must be one of wide, json, yaml/],
      [['promote'], /exactly one Canary NAME/],
      [['abort', 'a', 'b'], /exactly one Canary NAME/],
      [['apply'], /at least one -f FILE/],
      [['set', 'image', 'books', 'c=i'], /expected deployment\/NAME, got "books"/],
      [['set', 'image', 'deployment/books'], /at least one CONTAINER=IMAGE/],
      [['set', 'image', 'deployment/books', '=img'], /expected CONTAINER=IMAGE, got "=img"/],
      [['set', 'image', 'deployment/books', 'books='], /expected CONTAINER=IMAGE/],
      [['set', 'env', 'deployment/books'], /usage: fledge set image/],
    ]
    for (const [args, message] of cases) {
      const r = await run(...args)
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`)
      assert.match(r.err, message, args.join(' '))
      assert.equal(r.err.split('\n').length, 1, 'one line')
    }
  })

  it('lists every verb in the help', async () => {
    const r = await main(['--help'], {
      out: (t) => {
        assert.match(t, /status.*get.*promote.*abort.*pause.*resume.*retry.*apply.*set/s)
      },
      err: () => undefined,
    })
    assert.equal(r, 0)
    const help: string[] = []
    await main(['status', '--help'], { out: (t) => help.push(t), err: () => undefined })
    assert.match(help.join('\n'), /^fledge status \[NAME\] \[-n NAMESPACE\] \[--watch\]/)
  })
})
