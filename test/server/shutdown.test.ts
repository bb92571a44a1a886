/**
 * Graceful shutdown: in-flight requests finish, idle connections close once
 * quiet, kept-alive sockets are told to close, and a deadline cuts the rest.
 * Waits are on events (the application got the request, the socket closed),
 * so the tests hold on a busy machine.
 */
import { describe, expect, it } from 'vitest'

import type { Environ, StartResponse } from 'pulsar-ts'

import { draining } from '../fixtures/draining.js'
import { serve } from '../helpers/listen.js'
import { RawClient, parseResponse, statuses } from '../helpers/raw.js'
import { eventually } from '../helpers/wait.js'

/** `/slow` is answered once the server drains, anything else at once; `arrived` resolves once `n` requests reached it. */
function drainingApp() {
  let count = 0
  const app = async (environ: Environ, startResponse: StartResponse) => {
    count++
    if (environ.PATH_INFO === '/slow') await draining(environ)
    startResponse('200 OK', [])
    return [environ.PATH_INFO]
  }
  return { app, arrived: (n: number) => eventually(() => count >= n, 10_000, `${n} request(s)`) }
}

/** Blocks this process's event loop, as a busy machine may stall it, without using the CPU. */
const stall = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)

const request = 'GET /fast HTTP/1.1\r\nHost: t\r\n\r\n'

describe('WSGIServer.close()', () => {
  it('lets an in-flight request finish, with Connection: close, then resolves', async () => {
    const { app, arrived } = drainingApp()
    const { server, port } = await serve(app)
    const client = await RawClient.connect(port)
    client.send('GET /slow HTTP/1.1\r\nHost: t\r\n\r\n')
    await arrived(1)
    const closed = server.close()
    const answer = await client.untilClosed()
    expect(statuses(answer)).toEqual([200])
    expect(parseResponse(answer).headers.connection).toBe('close')
    expect(parseResponse(answer).body).toBe('/slow')
    await closed
  })

  it('closes idle keep-alive connections once quiet and refuses new connections', async () => {
    // neither the keep-alive timeout nor the deadline could close the socket during the test
    const { server, port, url } = await serve(drainingApp().app, {
      http_keep_alive: 600,
      graceful_timeout: 600,
    })
    const client = await RawClient.connect(port)
    client.send(request)
    await client.until((r) => r.endsWith('/fast'))
    await server.close()
    await client.untilClosed()
    await expect(fetch(url)).rejects.toThrow()
  })

  it('answers a request that arrives on a kept-alive socket while draining, then closes it', async () => {
    const { app, arrived } = drainingApp()
    const { server, port } = await serve(app)
    const busy = await RawClient.connect(port)
    busy.send('GET /slow HTTP/1.1\r\nHost: t\r\n\r\n')
    const pipelined = await RawClient.connect(port)
    pipelined.send('GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /after HTTP/1.1\r\nHost: t\r\n\r\n')
    await arrived(2)
    // both /slow wait for the drain: /after is read once it started
    const closed = server.close()
    const answer = await pipelined.untilClosed()
    expect(statuses(answer)).toEqual([200, 200])
    expect(answer.endsWith('/after')).toBe(true)
    expect(statuses(await busy.untilClosed())).toEqual([200])
    await closed
  })

  it.each([
    ['as the drain starts', 0],
    // the idle sweep is due before the request is read: it must not cut the connection
    ['while the server stalls past the quiet period', 400],
  ])('tells a busy keep-alive client sending %s to close, not cutting it', async (_, ms) => {
    const { server, port } = await serve(drainingApp().app)
    const client = await RawClient.connect(port)
    client.send(request)
    await client.until((r) => statuses(r).length === 1)
    const closed = server.close()
    client.send(request)
    if (ms) stall(ms)
    await client.untilClosed()
    await closed
    expect(statuses(client.received)).toEqual([200, 200])
    expect(client.received.split(/(?=HTTP\/1\.1 )/).at(-1)).toContain('Connection: close')
  })

  it('cuts connections still busy at graceful_timeout', async () => {
    let arrived = false
    const { server, port, log } = await serve(
      () => {
        arrived = true
        return new Promise<string[]>(() => undefined)
      },
      { graceful_timeout: 0.3 },
    )
    const client = await RawClient.connect(port)
    client.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n')
    await eventually(() => arrived)
    const started = Date.now()
    await server.close()
    expect(Date.now() - started).toBeGreaterThanOrEqual(250)
    expect(log.records.map((r) => r.msg)).toContain(
      'Cutting 1 connection(s) left after the graceful timeout',
    )
    expect(await client.untilClosed()).toBe('')
  })

  it('runs close hooks when shutdown starts', async () => {
    const { server } = await serve(drainingApp().app)
    const calls: string[] = []
    server.onClose(() => calls.push('hook'))
    await server.close()
    expect(calls).toEqual(['hook'])
    await server.close()
    expect(calls).toEqual(['hook'])
  })
})
