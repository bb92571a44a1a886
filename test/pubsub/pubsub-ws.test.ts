/**
 * PubSubWS over real sockets: what a socket receives, per-socket channels,
 * unsubscribing on close, the cap on a socket that does not read, and two
 * servers sharing a real Redis.
 */
import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'

import {
  type Message,
  MemoryPubSub,
  type PubSub,
  PubSubWS,
  RedisPubSub,
  WsgiHandler,
} from 'pulsar-ts'
import { WebSocket, type WebSocketOptions, type WebSocketProtocol } from 'pulsar-ts/websocket'

import { serve } from '../helpers/listen.js'
import { capturingLogger } from '../helpers/logger.js'
import { startRedis } from '../helpers/redis.js'
import { eventually } from '../helpers/wait.js'
import { TestClient, handshakeRequest } from '../helpers/ws.js'

const wsUrl = (url: string, path: string) => url.replace(/^http/, 'ws') + path

const opened: PubSub[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((pubsub) => pubsub.close()))
})

/** A memory PubSub that counts the subscriptions in force; each takes `latency` ms, as over a network. */
function countingPubSub(latency = 0) {
  const inner = new MemoryPubSub({ logger: capturingLogger().logger })
  opened.push(inner)
  let active = 0
  const pubsub = Object.create(inner) as PubSub
  pubsub.subscribe = async (channel, listener) => {
    await new Promise((resolve) => setTimeout(resolve, latency))
    const unsubscribe = await inner.subscribe(channel, listener)
    active++
    let done = false
    return async () => {
      if (!done) active--
      done = true
      await unsubscribe()
    }
  }
  pubsub.publish = (channel, message) => inner.publish(channel, message)
  return { pubsub, active: () => active }
}

async function chatServer(handler: PubSubWS, rule = '/ws', options: WebSocketOptions = {}) {
  const route = new WebSocket(rule, handler, options)
  return { ...(await serve(new WsgiHandler([route]))), route }
}

describe('PubSubWS', () => {
  it('writes what is published to every socket: text, bytes as binary, JSON as text', async () => {
    const { pubsub } = countingPubSub()
    const { url } = await chatServer(new PubSubWS(pubsub, 'news'))
    const clients = await Promise.all([1, 2, 3].map(() => TestClient.connect(wsUrl(url, '/ws'))))
    await pubsub.publish('other', 'not for them')
    await pubsub.publish('news', 'hello')
    await pubsub.publish('news', Buffer.from([1, 2, 3]))
    await pubsub.publish('news', { message: 'hi', time: 1 })
    for (const client of clients) {
      expect(await client.next()).toBe('hello')
      expect(await client.next()).toEqual(Buffer.from([1, 2, 3]))
      expect(await client.next()).toBe('{"message":"hi","time":1}')
      expect(client.messages).toEqual([])
    }
  })

  it('shares one subscription per channel, and unsubscribes when the last socket closes', async () => {
    const { pubsub, active } = countingPubSub()
    const { url, route } = await chatServer(new PubSubWS(pubsub, () => ['a', 'b', 'a']))
    expect(active()).toBe(0)
    const first = await TestClient.connect(wsUrl(url, '/ws'))
    const second = await TestClient.connect(wsUrl(url, '/ws'))
    // subscribed in onOpen, after the 101
    await eventually(() => active() === 2)
    await pubsub.publish('a', 'on a')
    expect(await first.next()).toBe('on a')
    // listed twice, the channel is still written once
    await pubsub.publish('b', 'on b')
    expect(await first.next()).toBe('on b')
    first.socket.close()
    await first.untilClosed()
    await eventually(() => route.sockets.size === 1)
    expect(active()).toBe(2)
    await pubsub.publish('a', 'still here')
    expect([await second.next(), await second.next(), await second.next()]).toEqual([
      'on a',
      'on b',
      'still here',
    ])
    second.socket.close()
    await eventually(() => active() === 0)
  })

  it('subscribes channels given by name from the start, so a socket receives from its first moment', async () => {
    const { pubsub, active } = countingPubSub(100)
    const handler = new PubSubWS(pubsub, 'news')
    await handler.ready
    expect(active()).toBe(1)
    const { url } = await chatServer(handler)
    for (let i = 0; i < 5; i++) {
      const client = await TestClient.connect(wsUrl(url, '/ws'))
      // published as soon as the client sees the 101
      await pubsub.publish('news', `message ${i}`)
      expect(await client.next()).toBe(`message ${i}`)
      client.socket.close()
      await client.untilClosed()
    }
    expect(active()).toBe(1)
    await handler.close()
    expect(active()).toBe(0)
  })

  it('picks channels per socket, and lets toSocket reshape or drop a message', async () => {
    const { pubsub } = countingPubSub(50)
    class Rooms extends PubSubWS {
      // a channel picked per socket is subscribed after the 101: say when it is
      override async onOpen(ws: WebSocketProtocol) {
        await super.onOpen(ws)
        await ws.write('subscribed')
      }

      override toSocket(message: Message, channel: string) {
        if (message === 'secret') return undefined
        return JSON.stringify({ channel, message })
      }
    }
    const handler = new Rooms(pubsub, (ws: WebSocketProtocol) => `room.${String(ws.urlargs.room)}`)
    const { url } = await chatServer(handler, '/rooms/<room>')
    const red = await TestClient.connect(wsUrl(url, '/rooms/red'))
    const blue = await TestClient.connect(wsUrl(url, '/rooms/blue'))
    for (const client of [red, blue]) expect(await client.next()).toBe('subscribed')
    await pubsub.publish('room.red', 'secret')
    await pubsub.publish('room.red', 'to red')
    await pubsub.publish('room.blue', { to: 'blue' })
    expect(await red.next()).toBe('{"channel":"room.red","message":"to red"}')
    expect(await blue.next()).toBe('{"channel":"room.blue","message":{"to":"blue"}}')
    expect(red.messages).toEqual([])
  })

  it('refuses channels that are not strings', () => {
    const { pubsub } = countingPubSub()
    expect(() => new PubSubWS(pubsub, [1 as unknown as string])).toThrow(TypeError)
  })

  it('closes a socket that stops reading at the route cap, and keeps writing to the others', async () => {
    const { pubsub } = countingPubSub()
    const codes: number[] = []
    class Watched extends PubSubWS {
      override onClose(ws: WebSocketProtocol, code: number, reason: string) {
        codes.push(code)
        return super.onClose(ws, code, reason)
      }
    }
    const cap = 1024 * 1024
    const { port, url, route } = await chatServer(new Watched(pubsub, 'feed'), '/ws', {
      highWaterMark: 64 * 1024,
      maxBufferedAmount: cap,
      closeTimeout: 0.3,
    })
    const reader = await TestClient.connect(wsUrl(url, '/ws'))
    const sluggish = connect({ host: '127.0.0.1', port })
    sluggish.on('error', () => undefined)
    await new Promise<void>((resolve) => sluggish.once('connect', resolve))
    sluggish.write(handshakeRequest('/ws'))
    await new Promise<void>((resolve) => sluggish.once('data', () => resolve()))
    sluggish.pause()
    await eventually(() => route.sockets.size === 2)
    const message = Buffer.alloc(64 * 1024, 7)
    let largest = 0
    // 200 x 64 KiB is 12.5 MiB for each socket: the cap stops the one that does not read
    for (let i = 0; i < 200; i++) {
      await pubsub.publish('feed', message)
      await new Promise((resolve) => setImmediate(resolve))
      for (const ws of route.sockets) largest = Math.max(largest, ws.bufferedAmount)
    }
    await reader.until(() => reader.messages.length === 200, 10_000)
    await eventually(() => codes.length === 1, 5000)
    expect(codes).toEqual([1006]) // it did not read the 1008 close frame either: cut after closeTimeout
    // it did hold up to the cap, and no more
    expect(largest).toBeGreaterThan(cap / 2)
    expect(largest).toBeLessThanOrEqual(cap + message.length)
    expect(reader.closed).toBeUndefined()
    expect(route.sockets.size).toBe(1)
    sluggish.destroy()
  })
})

describe('PubSubWS on Redis', { timeout: 20_000 }, () => {
  it('reaches the sockets of another server through a real Redis', async () => {
    const redis = await startRedis()
    const servers = []
    for (let i = 0; i < 2; i++) {
      const pubsub = new RedisPubSub(redis.url, { logger: capturingLogger().logger })
      opened.push(pubsub)
      const handler = new PubSubWS(pubsub, 'chat')
      await handler.ready
      servers.push({ pubsub, ...(await chatServer(handler)) })
    }
    const [one, two] = servers
    const onOne = await TestClient.connect(wsUrl(one!.url, '/ws'))
    const onTwo = await TestClient.connect(wsUrl(two!.url, '/ws'))
    await one!.pubsub.publish('chat', { message: 'from one' })
    await two!.pubsub.publish('chat', 'from two')
    for (const client of [onOne, onTwo])
      expect([await client.next(), await client.next()]).toEqual([
        '{"message":"from one"}',
        'from two',
      ])
  })
})
