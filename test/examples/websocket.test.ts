/** examples/websocket.ts over real sockets, as pulsar's examples/websocket/tests.py. */
import { beforeEach, describe, expect, it } from 'vitest'

import { websocketApp } from '../../examples/websocket.js'
import type { CapturingLogger } from '../helpers/logger.js'
import { serve } from '../helpers/listen.js'
import { parseResponse, rawUntil } from '../helpers/raw.js'
import { TestClient, handshakeRequest } from '../helpers/ws.js'

let url: string
let port: number
let log: CapturingLogger
const ws = (path: string) => url.replace(/^http/, 'ws') + path

beforeEach(async () => {
  ;({ url, port, log } = await serve(websocketApp()))
})

describe('the websocket example', () => {
  it('serves its page as HTML', async () => {
    const response = await fetch(url)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await response.text()).toContain("new WebSocket(url('/echo'))")
  })

  it('upgrades with the RFC sample accept key', async () => {
    const received = await rawUntil(port, handshakeRequest('/echo'), (r) => r.includes('\r\n\r\n'))
    const { status, headers } = parseResponse(received)
    expect(status).toBe(101)
    expect(headers.upgrade).toBe('websocket')
    expect(headers['sec-websocket-accept']).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=')
  })

  it('refuses a POST with 405 and a plain GET with 400', async () => {
    expect((await fetch(`${url}/echo`, { method: 'POST' })).status).toBe(405)
    expect((await fetch(`${url}/echo`)).status).toBe(400)
  })

  it('echoes text and bytes on /echo', async () => {
    const client = await TestClient.connect(ws('/echo'))
    expect(await client.ask('Hi there!')).toBe('Hi there!')
    expect(await client.ask(Buffer.from([1, 2, 3]))).toEqual(Buffer.from([1, 2, 3]))
  })

  it('pings on "send ping X", and the client pongs back', async () => {
    const client = await TestClient.connect(ws('/echo'))
    client.socket.send('send ping hello')
    await client.until(() => client.pings.length === 1)
    expect(client.pings[0]!.toString()).toBe('hello')
  })

  it('answers a ping payload over 125 bytes with a message, and stays open', async () => {
    const client = await TestClient.connect(ws('/echo'))
    // 126 bytes in 63 characters: the limit is in bytes
    for (const payload of ['x'.repeat(126), 'é'.repeat(63), 'x'.repeat(10_000)])
      expect(await client.ask(`send ping ${payload}`)).toBe(
        'A ping carries at most 125 bytes: send ping <up to 125 bytes>',
      )
    client.socket.send(`send ping ${'x'.repeat(125)}`)
    await client.until(() => client.pings.length === 1)
    expect(client.pings[0]!.length).toBe(125)
    expect(await client.ask('still there?')).toBe('still there?')
    expect(client.closed).toBeUndefined()
    expect(log.errors()).toEqual([])
  })

  it('answers a client ping with a pong', async () => {
    const client = await TestClient.connect(ws('/echo'))
    client.socket.ping('there?')
    await client.until(() => client.pongs.length === 1)
    expect(client.pongs[0]!.toString()).toBe('there?')
  })

  it('closes with the code of "send close N", and refuses a code no server may send', async () => {
    const client = await TestClient.connect(ws('/echo'))
    for (const code of ['1005', '1000.5', '', 'abc', '99999'])
      expect(await client.ask(`send close ${code}`)).toBe(
        `${code} is not a close code a server may send`,
      )
    expect(log.errors()).toEqual([])
    client.socket.send('send close 1001')
    expect(await client.untilClosed()).toEqual({ code: 1001, reason: '' })
  })

  it('answers each message on /data with 100 random points', async () => {
    const client = await TestClient.connect(ws('/data'))
    for (const message of ['one', 'two']) {
      const points = JSON.parse((await client.ask(message)) as string) as { x: number; y: number }[]
      expect(points).toHaveLength(100)
      expect(points[99]!.x).toBe(99)
      expect(points.every((point) => point.y >= 0 && point.y < 1)).toBe(true)
    }
  })
})
