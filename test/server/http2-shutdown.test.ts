/**
 * Graceful shutdown with HTTP/2 sessions open: GOAWAY first, open streams
 * finish, sessions close, and `graceful_timeout` cuts what is left; the
 * arbiter's SIGTERM and SIGHUP drain a worker's sessions the same way.
 */
import { once } from 'node:events'
import { constants } from 'node:http2'
import { describe, expect, it } from 'vitest'

import type { Environ, StartResponse } from 'pulsar-ts'

import { h2connect, h2request } from '../helpers/h2.js'
import { type Run, listening, run, workersListening } from '../helpers/process.js'
import { http2 } from '../helpers/transports.js'
import { eventually } from '../helpers/wait.js'

/** `/held` is answered once `release()` is called, `/stuck` never, anything else at once. */
function heldApp() {
  let count = 0
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  const app = async (environ: Environ, startResponse: StartResponse) => {
    count++
    if (environ.PATH_INFO === '/held') await released
    if (environ.PATH_INFO === '/stuck') await new Promise(() => undefined)
    startResponse('200 OK', [])
    return [environ.PATH_INFO]
  }
  return {
    app,
    release,
    arrived: (n: number) => eventually(() => count >= n, 10_000, `${n} request(s)`),
  }
}

describe('WSGIServer.close() with HTTP/2 sessions', () => {
  it('sends GOAWAY, lets the open streams finish, then closes the session', async () => {
    const { app, arrived, release } = heldApp()
    const { server, url } = await http2.serve(app, { graceful_timeout: 600 })
    const session = h2connect(url)
    const goaway = new Promise<number>((resolve) => session.once('goaway', resolve))
    const held = [
      h2request(session, { ':path': '/held' }),
      h2request(session, { ':path': '/held' }),
    ]
    await arrived(2)
    const closed = server.close()
    expect(await goaway).toBe(constants.NGHTTP2_NO_ERROR)
    // no new stream on a session told to go away; the open ones are still being answered
    expect(() => session.request({ ':path': '/late' })).toThrow(/GOAWAY/)
    release()
    for (const answer of await Promise.all(held))
      expect([answer.status, answer.text]).toEqual([200, '/held'])
    await closed
    expect(session.destroyed || session.closed).toBe(true)
  })

  it('closes an idle session at once, well before the graceful timeout', async () => {
    const { server, url } = await http2.serve(heldApp().app, {
      graceful_timeout: 600,
      http_keep_alive: 600,
    })
    const session = h2connect(url)
    expect((await h2request(session, { ':path': '/' })).status).toBe(200)
    const sessionClosed = once(session, 'close')
    await server.close()
    await sessionClosed
  })

  it('cuts a session still busy at graceful_timeout', async () => {
    const { app, arrived } = heldApp()
    const { server, url, log } = await http2.serve(app, { graceful_timeout: 0.3 })
    const stuck = h2request(h2connect(url), { ':path': '/stuck' })
    await arrived(1)
    await server.close()
    expect(log.records.map((r) => r.msg)).toContain(
      'Cutting 1 connection(s) left after the graceful timeout',
    )
    expect((await stuck).status).toBe(0)
  })
})

describe('the arbiter with HTTP/2 sessions open', () => {
  /** An arbiter of one worker serving pid-app.ts over h2c: `/slow` answers its pid once draining. */
  async function arbiter(...more: string[]): Promise<{ arbiter: Run; url: string; pid: number }> {
    const arbiter = run([
      'src/process/cli.ts',
      'test/fixtures/pid-app.ts',
      '--bind',
      '127.0.0.1:0',
      '--http2',
      'h2c',
      '--workers',
      '1',
      '--log-level',
      'debug',
      ...more,
    ])
    const url = await listening(arbiter)
    const [pid] = await workersListening(arbiter, 1)
    return { arbiter, url, pid: pid! }
  }

  it('drains on SIGTERM: GOAWAY, the stream in flight completes, then exit 0', async () => {
    const { arbiter: process, url, pid } = await arbiter()
    const session = h2connect(url)
    const goaway = new Promise<number>((resolve) => session.once('goaway', resolve))
    const slow = h2request(session, { ':path': '/slow' })
    await process.until(/in flight: \/slow/)
    process.child.kill('SIGTERM')
    expect(await goaway).toBe(constants.NGHTTP2_NO_ERROR)
    const answer = await slow
    expect([answer.status, Number(answer.text)]).toEqual([200, pid])
    expect(await process.exit).toEqual({ code: 0, signal: null })
    expect(process.stdout()).not.toMatch(/SIGKILL|Cutting/)
  })

  it('reloads on SIGHUP: the old worker finishes its stream, new sessions reach the new one', async () => {
    const { arbiter: process, url, pid } = await arbiter()
    const old = h2connect(url)
    const slow = h2request(old, { ':path': '/slow' })
    await process.until(/in flight: \/slow/)
    process.child.kill('SIGHUP')
    await process.until(/Reloaded: every worker replaced/)
    const answer = await slow
    expect([answer.status, Number(answer.text)]).toEqual([200, pid])
    const fresh = await h2request(h2connect(url), { ':path': '/' })
    expect(fresh.status).toBe(200)
    expect(Number(fresh.text)).not.toBe(pid)
    expect(process.stdout()).toContain(`(pid ${pid}) exited with code 0`)
    expect(process.stdout()).not.toMatch(/SIGKILL|Cutting/)
  })

  it('replaces a worker that served its max_requests over HTTP/2', async () => {
    const { arbiter: process, url, pid } = await arbiter('--max-requests', '3')
    const session = h2connect(url)
    for (let i = 0; i < 3; i++)
      expect((await h2request(session, { ':path': '/' })).status).toBe(200)
    await process.until(/served its max_requests/)
    await process.until(new RegExp(`\\(pid ${pid}\\) exited with code 0`))
  })
})
