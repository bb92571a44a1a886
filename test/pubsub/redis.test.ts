/**
 * The Redis backend against a real redis-server: the contract across two
 * connections, patterns as Redis matches them, other Redis clients, and a
 * Redis restart in the middle of a run.
 */
import { connect } from 'node:net'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'

import { type PubSub, PubSubError, RedisPubSub } from 'pulsar-ts'

import { type CapturingLogger, capturingLogger } from '../helpers/logger.js'
import { type RedisServer, startRedis } from '../helpers/redis.js'
import { eventually } from '../helpers/wait.js'
import { collector, pubsubContract } from './contract.js'

let redis: RedisServer

beforeAll(async () => {
  redis = await startRedis()
})

const opened: PubSub[] = []

afterEach(async () => {
  await Promise.all(opened.splice(0).map((pubsub) => pubsub.close()))
})

function redisPubSub(log: CapturingLogger = capturingLogger(), url = redis.url): RedisPubSub {
  const pubsub = new RedisPubSub(url, { logger: log.logger, connectTimeout: 2 })
  opened.push(pubsub)
  return pubsub
}

/** A raw RESP client: sends commands, collects every reply as text. */
function rawClient(port: number) {
  const socket = connect(port, '127.0.0.1')
  let received = ''
  socket.on('data', (data) => (received += data.toString('latin1')))
  const command = (...args: string[]) =>
    socket.write(
      `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`,
    )
  return { command, received: () => received, close: () => socket.destroy() }
}

describe('RedisPubSub', () => {
  pubsubContract(() => {
    const log = capturingLogger()
    return Promise.resolve({ a: redisPubSub(log), b: redisPubSub(), log })
  })

  it('speaks plain Redis pub/sub with other clients, and unsubscribes from Redis when the last listener leaves', async () => {
    const pubsub = redisPubSub()
    const raw = rawClient(redis.port)
    try {
      raw.command('SUBSCRIBE', 'news')
      await eventually(() => raw.received().includes('subscribe'))
      await pubsub.publish('news', 'plain text')
      await eventually(() => raw.received().includes('$10\r\nplain text\r\n'))

      const got = collector()
      const unsubscribe = await pubsub.subscribe('from-others', got.listener)
      const other = rawClient(redis.port)
      other.command('PUBLISH', 'from-others', '{"json":"stays text"}')
      expect(await got.next(1)).toEqual([['{"json":"stays text"}', 'from-others']])
      other.command('PUBSUB', 'NUMSUB', 'from-others')
      await eventually(() => other.received().includes('$11\r\nfrom-others\r\n:1'))
      await unsubscribe()
      other.command('PUBSUB', 'NUMSUB', 'from-others')
      await eventually(() => other.received().includes('$11\r\nfrom-others\r\n:0'))
      other.close()
    } finally {
      raw.close()
    }
  })

  it('shows no password in its name', () => {
    const pubsub = redisPubSub(capturingLogger(), `redis://:s3cret@127.0.0.1:${redis.port}/3`)
    expect(pubsub.name).toBe(`redis://:***@127.0.0.1:${redis.port}/3`)
  })

  it('refuses a URL that is not redis://', () => {
    const { logger } = capturingLogger()
    expect(() => new RedisPubSub('http://127.0.0.1:6379', { logger })).toThrow(TypeError)
    expect(() => new RedisPubSub('redis://127.0.0.1:6379/x', { logger })).toThrow(/database/)
    expect(() => new RedisPubSub(redis.url, { logger, connectTimeout: 0 })).toThrow(
      /connectTimeout/,
    )
  })
})

describe('RedisPubSub when Redis goes away', { timeout: 30_000 }, () => {
  it('refuses publishing while Redis is down, then reconnects, resubscribes and delivers again', async () => {
    const server = await startRedis()
    const aLog = capturingLogger()
    const bLog = capturingLogger()
    const a = redisPubSub(aLog, server.url)
    const b = redisPubSub(bLog, server.url)
    const news = collector()
    const rooms = collector()
    await b.subscribe('news', news.listener)
    await b.psubscribe('room.*', rooms.listener)
    await a.publish('news', 'before')
    await news.next(1)

    await server.stop()
    await eventually(() => bLog.records.some((r) => r.msg.includes('Disconnected from Redis')))
    await eventually(() => aLog.records.some((r) => r.msg.includes('Disconnected from Redis')))
    const refused = await a.publish('news', 'lost').catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(PubSubError)
    expect((refused as Error).message).toMatch(/unreachable/)
    // subscribing while Redis is away waits for it to come back
    const later = collector()
    const subscribing = b.subscribe('later', later.listener)

    await server.start()
    await subscribing
    // the publisher may come back a little after the subscriber: retry the first one
    await eventually(() =>
      a.publish('news', 'after').then(
        () => true,
        () => undefined,
      ),
    )
    await a.publish('room.7', { after: true })
    await a.publish('later', 'new channel')
    expect((await news.next(2)).map(([m]) => m)).toEqual(['before', 'after'])
    expect(await rooms.next(1)).toStrictEqual([[{ after: true }, 'room.7']])
    expect(await later.next(1)).toEqual([['new channel', 'later']])
    const messages = bLog.records.map((r) => r.msg)
    expect(
      messages.some((m) => /Resubscribed to [12] channel\(s\) and 1 pattern\(s\)/.test(m)),
    ).toBe(true)
    await eventually(() => bLog.records.some((r) => r.msg.includes('is reachable again')))
    expect(bLog.records.filter((r) => r.msg.includes('Disconnected')).length).toBe(1)
  })

  it('fails a publish when Redis cannot be reached at start, after connectTimeout', async () => {
    const server = await startRedis()
    await server.stop()
    const log = capturingLogger()
    const pubsub = new RedisPubSub(server.url, { logger: log.logger, connectTimeout: 0.5 })
    opened.push(pubsub)
    const started = Date.now()
    await expect(pubsub.publish('news', 'x')).rejects.toThrow(/Could not connect .* within 0.5 s/)
    expect(Date.now() - started).toBeGreaterThanOrEqual(450)
    expect(
      log.records.some((r) => r.level === 40 && r.msg.includes('Cannot connect to Redis')),
    ).toBe(true)
  })
})
