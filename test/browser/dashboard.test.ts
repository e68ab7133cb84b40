import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'
import { FakeBackend, TOKEN, startApi, type Running } from '../integration/cli-api/fake-backend.js'

const CHROMIUM = '/usr/bin/chromium'
const DASHBOARD = fileURLToPath(new URL('../../src/server/dashboard/', import.meta.url))
const SCREENSHOT = '/tmp/fledge-dashboard.png'
const missing = !existsSync(CHROMIUM)
if (missing) {
  console.log(
    `# skipping the dashboard browser test: ${CHROMIUM} not found (apt-get install chromium)`,
  )
}

describe(
  'dashboard in headless Chromium',
  { skip: missing ? `${CHROMIUM} not found` : false },
  () => {
    const backend = new FakeBackend()
    let api: Running
    let browser: Browser
    let page: Page
    const at = new Date(Date.now() - 20_000).toISOString()

    before(async () => {
      backend.revisions.set('default/books', 'v2')
      backend.update('default/books', {
        phase: 'Progressing',
        canaryWeight: 20,
        failedChecks: 1,
        lastAppliedSpec: 'v2',
        stepStartedAt: at,
        message: 'Advance books.default canary weight 20',
        measurements: [
          { metric: 'request-success-rate', outcome: 'Successful', value: 99.8, weight: 200, at },
          { metric: 'request-duration', outcome: 'Failed', value: 612.5, weight: 200, at },
        ],
      })
      backend.update('default/authors', { phase: 'Succeeded', lastTransitionTime: at })
      backend.raw.set('default/typo', {
        apiVersion: 'fledge.dev/v1beta1',
        kind: 'Canary',
        metadata: { name: 'typo', namespace: 'default' },
        spec: { analysis: { stepWeight: 'ten' } },
        status: {
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'InvalidSpec',
              message: 'spec.targetRef: Required; spec.analysis.stepWeight: expected number',
            },
          ],
        },
      })
      backend.problemList.push({
        file: 'typo.yaml',
        line: 7,
        object: 'Canary default/typo',
        message: 'spec.targetRef: Required',
      })
      backend.event('default/books', 'Synced', 'New revision detected! Scaling up books.default')
      backend.event('default/books', 'Advanced', 'Advance books.default canary weight 20')
      api = await startApi(backend, DASHBOARD)
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      })
      page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
      page.setDefaultTimeout(15_000)
    })
    after(async () => {
      await browser?.close()
      await api?.close()
    })

    const books = () => page.locator('article[data-key="default/books"]')

    it('shows each Canary with its phase, weight, checks, measurements and events', async () => {
      await page.goto(api.url)
      await page.locator('#connection.live').waitFor()
      await books().waitFor()
      assert.equal(await books().locator('.phase').textContent(), 'Progressing')
      assert.equal(await books().locator('.weight').textContent(), '20%')
      assert.equal(await books().locator('.bar').getAttribute('aria-valuenow'), '20')
      assert.equal(await books().locator('.bar .mark').count(), 5)
      assert.equal(await books().locator('.bar .mark.passed').count(), 2)
      assert.equal(await books().locator('.step').textContent(), '2/5')
      assert.equal(await books().locator('.checks').textContent(), '1/2')
      assert.match(
        (await books().locator('table.measurements').textContent()) ?? '',
        /request-duration612\.5Failed20%/,
      )
      assert.match((await books().locator('ul.events').textContent()) ?? '', /Advanced.*Synced/)
      assert.equal(
        await page.locator('#problem-list li').textContent(),
        'typo.yaml:7: Canary default/typo: spec.targetRef: Required',
      )
      const typo = page.locator('article[data-key="default/typo"]')
      assert.match(
        (await typo.locator('.invalid').textContent()) ?? '',
        /spec\.targetRef: Required/,
      )
      assert.equal(
        await page.locator('article[data-key="default/authors"] .phase').textContent(),
        'Succeeded',
      )
    })

    it('updates live when the controller pushes a change over the watch stream', async () => {
      backend.update('default/books', {
        phase: 'Progressing',
        canaryWeight: 30,
        lastAppliedSpec: 'v2',
        stepStartedAt: new Date(Date.now() - 4000).toISOString(),
        measurements: [
          { metric: 'request-success-rate', outcome: 'Successful', value: 99.9, weight: 300, at },
          { metric: 'request-duration', outcome: 'Successful', value: 212.4, weight: 300, at },
        ],
      })
      backend.event('default/books', 'Advanced', 'Advance books.default canary weight 30')
      await books().locator('.weight', { hasText: '30%' }).waitFor()
      assert.equal(await books().locator('.step').textContent(), '3/5')
      await books().locator('ul.events li', { hasText: 'canary weight 30' }).waitFor()
      await books().locator('table.measurements td', { hasText: '212.4' }).waitFor()
      await page.screenshot({ path: SCREENSHOT, fullPage: true })
    })

    it('asks for the token on Abort, sends the command with it, and says so on a 401', async () => {
      await books().locator('button.abort').click()
      await page.locator('#token-dialog[open]').waitFor()
      await page.locator('#token-input').fill('wrong-token')
      await page.locator('#token-save').click()
      await page.locator('#token-reason', { hasText: '401' }).waitFor()
      assert.deepEqual(backend.recorded, [])
      await page.locator('#token-input').fill(TOKEN)
      await page.locator('#token-save').click()
      await page.locator('#notice', { hasText: 'abort requested for default/books' }).waitFor()
      assert.deepEqual(backend.recorded, [{ key: 'default/books', verb: 'abort' }])
      // The token is kept for the tab: the next command goes straight through.
      await books().locator('button.pause').click()
      await page.locator('#notice', { hasText: 'pause requested' }).waitFor()
      assert.deepEqual(backend.recorded.slice(1), [{ key: 'default/books', verb: 'pause' }])
    })

    it('reconnects after the stream drops and catches up', async () => {
      api.dropConnections()
      // Not pushed: only the catch-up after reconnecting can show it.
      backend.update('default/books', { phase: 'Failed', lastAppliedSpec: 'v2' }, false)
      await books().locator('.phase', { hasText: 'Failed' }).waitFor({ timeout: 20_000 })
      assert.equal(await books().locator('button.retry').isEnabled(), true)
    })
  },
)
