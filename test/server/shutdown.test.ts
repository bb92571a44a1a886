/**
 * Graceful shutdown: in-flight requests finish, idle connections close at
 * once, kept-alive sockets are told to close, and a deadline cuts the rest.
 */
import { describe, expect, it } from 'vitest'

import type { Environ, StartResponse } from 'pulsar-ts'

import { serve } from '../helpers/listen.js'
import { RawClient, parseResponse, statuses } from '../helpers/raw.js'
import { delay } from '../helpers/wait.js'

async function slow(environ: Environ, startResponse: StartResponse) {
  if (environ.PATH_INFO === '/slow') await delay(300)
  startResponse('200 OK', [])
  return [environ.PATH_INFO]
}

describe('WSGIServer.close()', () => {
  it('lets an in-flight request finish, with Connection: close, then resolves', async () => {
    const { server, port } = await serve(slow)
    const client = await RawClient.connect(port)
    client.send('GET /slow HTTP/1.1\r\nHost: t\r\n\r\n')
    await delay(50)
    const started = Date.now()
    await server.close()
    const answer = await client.untilClosed()
    expect(statuses(answer)).toEqual([200])
    expect(parseResponse(answer).headers.connection).toBe('close')
    expect(parseResponse(answer).body).toBe('/slow')
    expect(Date.now() - started).toBeLessThan(1500)
  })

  it('closes idle keep-alive connections at once and refuses new connections', async () => {
    const { server, port, url } = await serve(slow)
    const client = await RawClient.connect(port)
    client.send('GET /fast HTTP/1.1\r\nHost: t\r\n\r\n')
    await client.until((r) => r.endsWith('/fast'))
    const started = Date.now()
    await server.close()
    await client.untilClosed(1000)
    expect(Date.now() - started).toBeLessThan(500)
    await expect(fetch(url)).rejects.toThrow()
  })

  it('answers a request that arrives on a kept-alive socket while draining, then closes it', async () => {
    const { server, port } = await serve(slow)
    const busy = await RawClient.connect(port)
    busy.send('GET /slow HTTP/1.1\r\nHost: t\r\n\r\n')
    const pipelined = await RawClient.connect(port)
    pipelined.send('GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /after HTTP/1.1\r\nHost: t\r\n\r\n')
    await delay(50)
    const closed = server.close()
    const answer = await pipelined.untilClosed()
    expect(statuses(answer)).toEqual([200, 200])
    expect(answer.endsWith('/after')).toBe(true)
    await closed
    busy.close()
  })

  it('tells a busy keep-alive client to close rather than cutting it between requests', async () => {
    const { server, port } = await serve(slow)
    const client = await RawClient.connect(port)
    const request = 'GET /fast HTTP/1.1\r\nHost: t\r\n\r\n'
    client.send(request)
    await client.until((r) => statuses(r).length === 1)
    const closed = server.close()
    // the client goes on sending, faster than the quiet period
    for (let sent = 2; !client.closed && sent <= 20; sent++) {
      await delay(40)
      if (!client.closed) client.send(request)
      await client.until((r) => statuses(r).length === sent || r.includes('Connection: close'))
    }
    await client.untilClosed()
    await closed
    const answers = client.received.split(/(?=HTTP\/1\.1 )/)
    expect(answers.length).toBeGreaterThanOrEqual(2)
    expect(statuses(client.received).every((status) => status === 200)).toBe(true)
    expect(answers.at(-1)).toContain('Connection: close')
  })

  it('cuts connections still busy at graceful_timeout', async () => {
    const { server, port } = await serve(() => new Promise<string[]>(() => undefined), {
      graceful_timeout: 0.3,
    })
    const client = await RawClient.connect(port)
    client.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n')
    await delay(50)
    const started = Date.now()
    await server.close()
    expect(Date.now() - started).toBeGreaterThanOrEqual(250)
    expect(Date.now() - started).toBeLessThan(1500)
    await client.untilClosed(1000)
  })

  it('runs close hooks when shutdown starts', async () => {
    const { server } = await serve(slow)
    const calls: string[] = []
    server.onClose(() => calls.push('hook'))
    await server.close()
    expect(calls).toEqual(['hook'])
    await server.close()
    expect(calls).toEqual(['hook'])
  })
})
