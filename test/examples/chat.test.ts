/**
 * examples/chat.ts as pulsar's examples/chat/tests.py, over real sockets;
 * then as real processes: two workers of one arbiter, and two servers that
 * share one redis-server.
 */
import type { Socket } from 'node:net'
import { beforeEach, describe, expect, it } from 'vitest'

import { JsonProxy } from 'pulsar-ts/rpc'

import { type ChatMessage, WebChat } from '../../examples/chat.js'
import { serve } from '../helpers/listen.js'
import { HANG_MS, listening, run, workersListening } from '../helpers/process.js'
import { startRedis } from '../helpers/redis.js'
import { socketOwner } from '../helpers/sockets.js'
import { eventually } from '../helpers/wait.js'
import { TestClient } from '../helpers/ws.js'

const wsUrl = (url: string) => `${url.replace(/^http/, 'ws')}/message`

/** The next chat message a client receives. */
async function nextMessage(client: TestClient): Promise<ChatMessage> {
  return JSON.parse((await client.next(5000)) as string) as ChatMessage
}

const rpc = (url: string) =>
  new JsonProxy(`${url}/rpc`) as unknown as { message(text: unknown): Promise<string> }

describe('the chat example', () => {
  let url: string

  beforeEach(async () => {
    ;({ url } = await serve(new WebChat({ maxMessage: 64 })))
  })

  it('serves its page as HTML, gzipped, and only to GET', async () => {
    const page = await fetch(url, { headers: { 'Accept-Encoding': 'gzip' } })
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-encoding')).toBe('gzip')
    expect(await page.text()).toContain("'/message'")
    expect((await fetch(url, { method: 'POST', body: '{}' })).status).toBe(405)
    expect((await fetch(`${url}/rpc`)).status).toBe(405)
  })

  it("sends what a socket writes to every socket, as pulsar's JSON, lines joined", async () => {
    const one = await TestClient.connect(wsUrl(url))
    const two = await TestClient.connect(wsUrl(url))
    const before = Date.now() / 1000
    one.socket.send('  hello \n\n   world ')
    for (const client of [one, two]) {
      const { message, time } = await nextMessage(client)
      expect(message).toBe('hello world')
      expect(time).toBeGreaterThanOrEqual(before - 1)
      expect(time).toBeLessThanOrEqual(Date.now() / 1000 + 1)
    }
  })

  it('publishes nothing for blank lines', async () => {
    const client = await TestClient.connect(wsUrl(url))
    client.socket.send(' \n \n')
    client.socket.send('after')
    expect((await nextMessage(client)).message).toBe('after')
  })

  it('publishes message(text) over JSON-RPC, which answers OK', async () => {
    const client = await TestClient.connect(wsUrl(url))
    expect(await rpc(url).message('Hi!')).toBe('OK')
    expect((await nextMessage(client)).message).toBe('Hi!')
  })

  it('refuses an empty, a non-string or a too long message over RPC, and closes a socket that sends one', async () => {
    for (const bad of ['', '  \n', 5, 'x'.repeat(65)])
      await expect(rpc(url).message(bad)).rejects.toMatchObject({ code: -32602 })
    const client = await TestClient.connect(wsUrl(url))
    client.socket.send('x'.repeat(65))
    expect((await client.untilClosed()).code).toBe(1009)
  })
})

/** The local port of a client's connection (ws keeps its socket in `_socket`). */
const localPort = (client: TestClient) =>
  (client.socket as unknown as { _socket: Socket })._socket.localPort!

describe('the chat example as processes', { timeout: 4 * HANG_MS }, () => {
  it('with --workers 2, reaches the sockets of every worker, from a socket or RPC on any', async () => {
    const arbiter = run([
      'examples/chat.ts',
      '--workers',
      '2',
      '--bind',
      '127.0.0.1:0',
      '--log-level',
      'debug',
    ])
    const url = await listening(arbiter)
    const port = Number(new URL(url).port)
    // both listen before the sockets open, or one worker could take them all
    const workers = await workersListening(arbiter, 2)
    // open sockets until both workers hold some (the kernel picks the worker)
    const byWorker = new Map<number, TestClient>()
    const clients: TestClient[] = []
    for (let i = 0; i < 60 && byWorker.size < 2; i++) {
      const client = await TestClient.connect(wsUrl(url))
      clients.push(client)
      const owner = await eventually(() => socketOwner(port, localPort(client), workers))
      byWorker.set(owner, client)
    }
    expect(byWorker.size).toBe(2)
    for (const [pid, sender] of byWorker) {
      sender.socket.send(`from worker ${pid}`)
      for (const client of clients)
        expect((await nextMessage(client)).message).toBe(`from worker ${pid}`)
    }
    expect(await rpc(url).message('over RPC')).toBe('OK')
    for (const client of clients) expect((await nextMessage(client)).message).toBe('over RPC')
    arbiter.child.kill('SIGTERM')
    expect(await arbiter.exit).toEqual({ code: 0, signal: null })
  })

  it('as two servers sharing one Redis, reaches the sockets of the other', async () => {
    const redis = await startRedis()
    const servers = [1, 2].map(() =>
      run(['examples/chat.ts', '--pubsub', redis.url, '--bind', '127.0.0.1:0']),
    )
    const [one, two] = await Promise.all(servers.map((server) => listening(server)))
    const onOne = await TestClient.connect(wsUrl(one!))
    const onTwo = await TestClient.connect(wsUrl(two!))
    onOne.socket.send('hello from one')
    for (const client of [onOne, onTwo])
      expect((await nextMessage(client)).message).toBe('hello from one')
    expect(await rpc(two!).message('RPC on two')).toBe('OK')
    for (const client of [onOne, onTwo])
      expect((await nextMessage(client)).message).toBe('RPC on two')
    for (const server of servers) server.child.kill('SIGTERM')
    for (const server of servers) expect((await server.exit).code).toBe(0)
  })
})
