/**
 * The chat in a real browser: Debian's Chromium driven by playwright-core
 * (never a downloaded browser), two pages on the chat served by two
 * workers: what one page sends appears in the other, and so does what is
 * published over JSON-RPC; and the chat over HTTPS with HTTP/2, its
 * WebSocket on HTTP/1.1 beside it.
 */
import type { BrowserContext, Page } from 'playwright-core'
import { afterEach, describe, expect, it } from 'vitest'

import { JsonProxy } from 'pulsar-ts/rpc'

import { type Browser, launchChromium } from '../helpers/chromium.js'
import { HANG_MS, listening, run } from '../helpers/process.js'
import { testCertificate } from '../helpers/tls.js'

let browser: Browser | undefined
let context: BrowserContext | undefined

afterEach(async () => {
  await browser?.close()
  browser = context = undefined
})

async function openChat(url: string): Promise<Page> {
  const page = await context!.newPage()
  await page.goto(url)
  await page.locator('#status[data-state="open"]').waitFor({ timeout: HANG_MS })
  return page
}

async function say(page: Page, text: string): Promise<void> {
  await page.locator('#text').fill(text)
  await page.locator('#text').press('Enter')
}

const messages = (page: Page) => page.locator('#messages li')

/** Waits until every page shows these messages, in this order, and no other. */
async function shown(pages: Page[], texts: string[]): Promise<void> {
  for (const page of pages)
    await expect
      .poll(() => messages(page).allTextContents(), { timeout: HANG_MS })
      .toEqual(texts.map((text): unknown => expect.stringContaining(text)))
}

describe('the chat in Chromium', { timeout: 4 * HANG_MS }, () => {
  it('shows in one page what another typed, and what RPC published, with --workers 2', async () => {
    const arbiter = run(['examples/chat.ts', '--workers', '2', '--bind', '127.0.0.1:0'])
    const url = await listening(arbiter)
    browser = await launchChromium()
    context = browser.context
    const one = await openChat(url)
    const two = await openChat(url)

    await say(one, 'hello from page one')
    await shown([one, two], ['hello from page one'])

    await say(two, '  and back  \n')
    // the socket's message and the RPC's publish take different paths (and workers):
    // the first is seen everywhere before the second is sent, so the order is known
    await shown([one, two], ['hello from page one', 'and back'])
    const rpc = new JsonProxy(`${url}/rpc`) as unknown as { message(text: string): Promise<string> }
    expect(await rpc.message('<b>over RPC</b>')).toBe('OK')
    await shown([one, two], ['hello from page one', 'and back', '<b>over RPC</b>'])
    // the markup arrived as text, not as an element
    expect(await two.locator('#messages b').count()).toBe(0)

    arbiter.child.kill('SIGTERM')
    expect(await arbiter.exit).toEqual({ code: 0, signal: null })
  })

  it('loads the page over https:// with HTTP/2 and still opens its WebSocket', async () => {
    const { key_file, cert_file } = testCertificate()
    const chat = run([
      'examples/chat.ts',
      '--bind',
      '127.0.0.1:0',
      '--http2',
      '--key-file',
      key_file,
      '--cert-file',
      cert_file,
    ])
    const url = await listening(chat)
    expect(url).toMatch(/^https:/)
    browser = await launchChromium({ ignoreHTTPSErrors: true })
    context = browser.context
    const page = await openChat(url)
    // the page came over h2; the socket, which needs HTTP/1.1's Upgrade, opened beside it
    // a string, evaluated in the page: Node's types know no navigation entry
    const protocol = await page.evaluate(
      'performance.getEntriesByType("navigation")[0].nextHopProtocol',
    )
    expect(protocol).toBe('h2')
    await say(page, 'hello over h2')
    await shown([page], ['hello over h2'])

    chat.child.kill('SIGTERM')
    expect(await chat.exit).toEqual({ code: 0, signal: null })
  })
})
