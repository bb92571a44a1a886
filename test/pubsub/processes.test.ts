/**
 * Pubsub across processes, as real processes: the `cluster` backend between
 * the workers of one arbiter (the default with --workers), and the Redis
 * backend between two separate servers sharing one redis-server.
 */
import { beforeAll, describe, expect, it } from 'vitest'

import { HANG_MS, type Run, listening, run } from '../helpers/process.js'
import { type RedisServer, startRedis } from '../helpers/redis.js'
import { eventually } from '../helpers/wait.js'

interface Received {
  pid: number
  backend: string
  messages: { channel: string; via: string; message: unknown }[]
}

function serve(...flags: string[]): Run {
  return run([
    'src/process/cli.ts',
    'test/fixtures/pubsub-app.ts',
    '--bind',
    '127.0.0.1:0',
    ...flags,
  ])
}

async function received(url: string): Promise<Received> {
  const res = await fetch(`${url}/received`, {
    headers: { Connection: 'close' },
    signal: AbortSignal.timeout(HANG_MS),
  })
  return (await res.json()) as Received
}

/** What each of `count` processes behind `url` received, once each has answered (and so subscribed). */
async function everyProcess(url: string, count: number): Promise<Map<number, Received>> {
  const seen = new Map<number, Received>()
  await eventually(async () => {
    const answer = await received(url)
    seen.set(answer.pid, answer)
    return seen.size === count
  }, HANG_MS)
  return seen
}

async function publish(url: string, channel: string, body: string | Buffer, type = 'text/plain') {
  const res = await fetch(`${url}/publish?channel=${channel}`, {
    method: 'POST',
    body,
    headers: { 'Content-Type': type, Connection: 'close' },
    signal: AbortSignal.timeout(HANG_MS),
  })
  expect(res.status).toBe(204)
}

const expected = [
  { channel: 'news', via: 'news', message: 'hello workers' },
  { channel: 'room.5', via: 'room.*', message: { text: 'hi', n: 5 } },
  { channel: 'news', via: 'news', message: { bytes: '00ff' } },
]

async function publishAll(url: string): Promise<void> {
  await publish(url, 'news', 'hello workers')
  await publish(url, 'room.5', '{"text":"hi","n":5}', 'application/json')
  await publish(url, 'news', Buffer.from([0, 255]), 'application/octet-stream')
}

describe('pubsub across processes', { timeout: 4 * HANG_MS }, () => {
  let redis: RedisServer

  beforeAll(async () => {
    redis = await startRedis()
  })

  it('reaches every worker through the arbiter, the default backend with --workers', async () => {
    const arbiter = serve('--workers', '2')
    const url = await listening(arbiter)
    const before = await everyProcess(url, 2)
    for (const answer of before.values()) expect(answer.backend).toBe('cluster')
    await publishAll(url)
    for (const pid of before.keys()) {
      const after = await eventually(async () => {
        const answer = await received(url)
        return answer.pid === pid && answer.messages.length >= 3 ? answer : undefined
      }, HANG_MS)
      expect(after.messages).toEqual(expected)
    }
    arbiter.child.kill('SIGTERM')
    expect(await arbiter.exit).toEqual({ code: 0, signal: null })
  })

  it('reaches a separate server through Redis', async () => {
    const first = serve('--pubsub', redis.url)
    const second = serve('--pubsub', redis.url)
    const [one, two] = await Promise.all([listening(first), listening(second)])
    const [a, b] = await Promise.all([received(one), received(two)])
    expect(a.backend).toBe(redis.url)
    expect(b.pid).not.toBe(a.pid)
    await publishAll(one)
    for (const url of [one, two]) {
      const answer = await eventually(async () => {
        const got = await received(url)
        return got.messages.length >= 3 ? got : undefined
      }, HANG_MS)
      expect(answer.messages).toEqual(expected)
    }
    for (const server of [first, second]) server.child.kill('SIGTERM')
    for (const server of [first, second]) expect((await server.exit).code).toBe(0)
  })

  it('refuses an unusable --pubsub at startup', async () => {
    const bad = serve('--pubsub', 'mongodb://127.0.0.1')
    expect((await bad.exit).code).toBe(2)
    expect(bad.stderr()).toContain('Setting pubsub is not memory, cluster or a redis:// URL')
  })
})
