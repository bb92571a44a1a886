/**
 * httpbin in a real browser: Debian's Chromium driven by playwright-core
 * (never a downloaded browser). The graph page opens its socket and draws
 * what arrives; Chromium's own Digest client logs in; the clip plays.
 */
import type { BrowserContext } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import { HttpBin } from '../../examples/httpbin.js'
import { type Browser, launchChromium } from '../helpers/chromium.js'
import { serve } from '../helpers/listen.js'

let url: string
let browser: Browser | undefined
let context: BrowserContext | undefined

// one browser for the file: launching Chromium is the slow part
beforeAll(async () => {
  browser = await launchChromium({ httpCredentials: { username: 'luca', password: 'bla' } })
  context = browser.context
}, 60_000)

afterAll(() => browser?.close())

beforeEach(async () => {
  ;({ url } = await serve(new HttpBin()))
})

afterEach(async () => {
  for (const page of context?.pages() ?? []) await page.close()
})

describe('httpbin in Chromium', { timeout: 60_000 }, () => {
  it('draws the points /graph-data streams on the /websocket page', async () => {
    const page = await context!.newPage()
    await page.goto(`${url}/websocket`)
    await page.locator('#status[data-state="open"]').waitFor({ timeout: 10_000 })
    // as fast as the socket goes: several sets of points drawn one after the other
    await page.locator('#frequency').fill('0')
    await page.locator('#frequency').dispatchEvent('change')
    await expect
      .poll(async () => Number(await page.locator('#graph').getAttribute('data-frames')), {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(5)
    // the canvas holds a line: painted pixels in more than a few columns
    // (the page's own code runs in the browser: it is given as text, with no DOM types here)
    const columns = await page.evaluate<number>(`(() => {
      const canvas = document.getElementById('graph')
      const { data, width, height } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height)
      const painted = new Set()
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) if (data[(y * width + x) * 4 + 3] > 0) painted.add(x)
      return painted.size
    })()`)
    expect(columns).toBeGreaterThan(500)
  })

  it("logs in to /digest-auth with Chromium's own Digest client", async () => {
    const page = await context!.newPage()
    const response = await page.goto(`${url}/digest-auth/luca/bla/auth`)
    expect(response!.status()).toBe(200)
    expect(JSON.parse(await page.locator('body').innerText())).toEqual({
      authenticated: true,
      user: 'luca',
    })
  })

  it('plays the /clip video', async () => {
    const page = await context!.newPage()
    await page.setContent(`<video id="clip" muted src="${url}/clip/4096"></video>`)
    const clip = "document.getElementById('clip')"
    await page.waitForFunction(`${clip}.readyState >= 2 || ${clip}.error`, null, {
      timeout: 10_000,
    })
    const size = await page.evaluate<[number, number, unknown]>(
      `[${clip}.videoWidth, ${clip}.videoHeight, ${clip}.error && ${clip}.error.code]`,
    )
    expect(size).toEqual([320, 180, null])
  })
})
