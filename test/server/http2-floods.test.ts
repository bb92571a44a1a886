/**
 * Hostile HTTP/2 peers, sent with node:http2's client at a server in a
 * process of its own (h2c, `http2_flood_limit` 50, `http2_max_streams` 4,
 * `max_header_size` 4096): each flood is answered by closing the session,
 * or the stream, and the process goes on serving with its heap where it was.
 */
import { once } from 'node:events'
import { type ClientHttp2Session, type SecureClientSessionOptions, constants } from 'node:http2'
import { describe, expect, it } from 'vitest'

import { h2connect, h2request } from '../helpers/h2.js'
import { h2FloodServer } from '../helpers/h2-flood-server.js'
import { eventually } from '../helpers/wait.js'

const { NGHTTP2_CANCEL, NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_REFUSED_STREAM } = constants
const LIMIT = 50
// the heap may grow by what the first requests compile and cache, never by what a flood left behind
const HEAP_SLACK = 16 * 1024 * 1024
// node:http2 has the option; @types/node does not list it
const MANY_SETTINGS = { maxOutstandingSettings: 100_000 } as SecureClientSessionOptions

async function floodServer() {
  const served = await h2FloodServer([
    '--http2-flood-limit',
    String(LIMIT),
    '--http2-max-streams',
    '4',
    '--max-header-size',
    '4096',
  ])
  const heap = async () => (await served.ask('/memory')).heapUsed!
  return { ...served, heapBefore: await heap(), heap }
}

/** Sends `frame()` up to `count` times, until the session is gone; resolves with the GOAWAY code. */
async function flood(session: ClientHttp2Session, count: number, frame: () => void) {
  const goaway = new Promise<number>((resolve) => session.once('goaway', resolve))
  await once(session, 'remoteSettings')
  for (let i = 0; i < count && !session.destroyed && !session.closed; i++) {
    try {
      frame()
    } catch {
      break // the session closed under the loop
    }
    // let the frames go out (and the answer come in) now and then
    if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve))
  }
  const code = await goaway
  if (!session.destroyed) await once(session, 'close')
  return code
}

describe('HTTP/2 floods', () => {
  it('closes a session that floods SETTINGS, and lets one below the limit be', async () => {
    const { url, alive, heap, heapBefore, server } = await floodServer()
    const calm = h2connect(url, MANY_SETTINGS)
    await once(calm, 'remoteSettings')
    for (let i = 0; i < LIMIT / 2; i++) calm.settings({ enablePush: false })
    expect((await h2request(calm, { ':path': '/' })).status).toBe(200)
    const session = h2connect(url, MANY_SETTINGS)
    expect(await flood(session, 2000, () => session.settings({ enablePush: false }))).toBe(
      NGHTTP2_ENHANCE_YOUR_CALM,
    )
    expect(calm.destroyed).toBe(false)
    expect(await alive()).toBe(true)
    expect((await heap()) - heapBefore).toBeLessThan(HEAP_SLACK)
    expect(server.stdout()).toMatch(/flooding the server/)
  })

  it('closes a session that floods PING', async () => {
    const { url, alive, heap, heapBefore, server } = await floodServer()
    const session = h2connect(url, { maxOutstandingPings: 100_000 })
    expect(await flood(session, 2000, () => session.ping(() => undefined))).toBe(
      NGHTTP2_ENHANCE_YOUR_CALM,
    )
    expect(await alive()).toBe(true)
    expect((await heap()) - heapBefore).toBeLessThan(HEAP_SLACK)
    expect(server.stdout()).toMatch(/flooding the server/)
  })

  it('closes a session that opens and resets streams (rapid reset, CVE-2023-44487), round after round', async () => {
    const { url, ask, heap, heapBefore, server } = await floodServer()
    for (let round = 0; round < 10; round++) {
      const session = h2connect(url)
      const code = await flood(session, 2000, () => {
        const stream = session.request({ ':path': '/' })
        stream.on('error', () => undefined)
        stream.close(NGHTTP2_CANCEL)
      })
      expect(code).toBe(NGHTTP2_ENHANCE_YOUR_CALM)
    }
    // the application saw a bounded share of the 20 000 streams the rounds tried to open
    const { seen } = await ask('/stats')
    expect(seen).toBeLessThan(10 * 4 * LIMIT)
    expect((await heap()) - heapBefore).toBeLessThan(HEAP_SLACK)
    expect(server.stdout().match(/flooding the server/g)).toHaveLength(10)
  })

  it('holds a session to http2_max_streams requests at once', async () => {
    const { url, ask, heap, heapBefore } = await floodServer()
    // the client takes no notice of the server's limit until its SETTINGS arrive
    const session = h2connect(url, { peerMaxConcurrentStreams: 1000 })
    await once(session, 'connect')
    const answers = Array.from({ length: 12 }, () => h2request(session, { ':path': '/hold' }))
    let settled = 0
    for (const answer of answers) void answer.then(() => settled++)
    await eventually(async () => {
      await ask('/release')
      return settled === answers.length
    })
    for (const answer of await Promise.all(answers))
      expect([200, NGHTTP2_REFUSED_STREAM]).toContain(answer.status || answer.rstCode)
    const { mostHeld } = await ask('/stats')
    expect(mostHeld).toBeGreaterThan(0)
    expect(mostHeld).toBeLessThanOrEqual(4)
    expect((await heap()) - heapBefore).toBeLessThan(HEAP_SLACK)
  })

  it('resets a stream whose header list is over max_header_size, and the session goes on', async () => {
    const { url } = await floodServer()
    const session = h2connect(url)
    // one answer first: the client has acknowledged the server's SETTINGS by then
    expect((await h2request(session, { ':path': '/' })).status).toBe(200)
    const big = await h2request(session, { ':path': '/', 'x-big': 'a'.repeat(8000) })
    expect([big.status, big.rstCode]).toEqual([0, NGHTTP2_ENHANCE_YOUR_CALM])
    expect((await h2request(session, { ':path': '/' })).status).toBe(200)
  })
})
