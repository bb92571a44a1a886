/**
 * What every backend promises, as a suite each backend's test file runs:
 * `make()` gives two PubSubs that share their medium (one process twice for
 * memory, two connections to one Redis...), and the logs of the first.
 */
import { afterEach, describe, expect, it } from 'vitest'

import type { Message, PubSub } from 'pulsar-ts'

import type { CapturingLogger } from '../helpers/logger.js'
import { eventually } from '../helpers/wait.js'
import { globCases } from './glob-cases.js'

export interface Pair {
  a: PubSub
  b: PubSub
  log: CapturingLogger
}

/** A listener that records what it gets. */
export function collector() {
  const got: [Message, string][] = []
  const listener = (message: Message, channel: string) => void got.push([message, channel])
  return {
    got,
    listener,
    /** Resolves with the first `n` messages once they came. */
    next: (n: number, ms = 5000) =>
      eventually(() => (got.length >= n ? got.slice(0, n) : undefined), ms, `${n} message(s)`),
  }
}

export function pubsubContract(make: () => Promise<Pair>): void {
  describe('the PubSub contract', () => {
    const opened: PubSub[] = []
    const pair = async () => {
      const made = await make()
      opened.push(made.a, made.b)
      return made
    }

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((pubsub) => pubsub.close()))
    })

    it('delivers strings, bytes and JSON values, in order, to the other side and to itself', async () => {
      const { a, b } = await pair()
      const there = collector()
      const here = collector()
      await b.subscribe('news', there.listener)
      await a.subscribe('news', here.listener)
      const sent: Message[] = ['one', Buffer.from([1, 2, 255]), { n: 3, list: [null, true] }, 4, '']
      for (const message of sent) await a.publish('news', message)
      for (const side of [there, here]) {
        const got = await side.next(sent.length)
        expect(got.map(([, channel]) => channel)).toEqual(sent.map(() => 'news'))
        expect(got.map(([message]) => message)).toStrictEqual(sent)
      }
    })

    it('stops delivering to a listener once it unsubscribed, and keeps the others', async () => {
      const { a, b } = await pair()
      const leaving = collector()
      const staying = collector()
      const unsubscribe = await b.subscribe('chat', leaving.listener)
      await b.subscribe('chat', staying.listener)
      await a.publish('chat', 'first')
      await leaving.next(1)
      await unsubscribe()
      await unsubscribe()
      await a.publish('chat', 'second')
      // 'second' reached b: a listener still subscribed there, called before staying, had it now
      expect((await staying.next(2)).map(([m]) => m)).toEqual(['first', 'second'])
      expect(leaving.got.map(([m]) => m)).toEqual(['first'])
    })

    it('calls a listener subscribed twice twice, and an object with a handle method', async () => {
      const { a, b } = await pair()
      const twice = collector()
      const first = await b.subscribe('x', twice.listener)
      await b.subscribe('x', twice.listener)
      const handled: Message[] = []
      await b.subscribe('x', { handle: (message: Message) => void handled.push(message) })
      await a.publish('x', 'hi')
      await twice.next(2)
      await first()
      await a.publish('x', 'again')
      await eventually(() => handled.length === 2)
      await twice.next(3)
      expect(twice.got.map(([m]) => m)).toEqual(['hi', 'hi', 'again'])
      expect(handled).toEqual(['hi', 'again'])
    })

    it('delivers to pattern subscriptions with the channel the message came on', async () => {
      const { a, b } = await pair()
      const rooms = collector()
      const exact = collector()
      const unsubscribe = await b.psubscribe('room.*', rooms.listener)
      await b.subscribe('room.1', exact.listener)
      await a.publish('room.1', 'in one')
      await a.publish('lobby', 'not a room')
      await a.publish('room.two', { in: 2 })
      expect(await rooms.next(2)).toStrictEqual([
        ['in one', 'room.1'],
        [{ in: 2 }, 'room.two'],
      ])
      expect(await exact.next(1)).toEqual([['in one', 'room.1']])
      await unsubscribe()
      await a.publish('room.1', 'after')
      await exact.next(2)
      expect(rooms.got).toHaveLength(2)
    })

    it('matches patterns as Redis does', async () => {
      const { a, b } = await pair()
      for (const [pattern, matches, misses] of globCases) {
        const got = collector()
        const unsubscribe = await b.psubscribe(pattern, got.listener)
        for (const channel of [...misses, ...matches]) await a.publish(channel, channel)
        const channels = (await got.next(matches.length)).map(([, channel]) => channel)
        expect(channels, pattern).toEqual(matches)
        await unsubscribe()
      }
    })

    it('logs a listener that throws or rejects, and still delivers to the others', async () => {
      const { a, log } = await pair()
      const fine = collector()
      await a.subscribe('boom', () => {
        throw new Error('listener broke')
      })
      await a.subscribe('boom', () => Promise.reject(new Error('listener rejected')))
      await a.subscribe('boom', fine.listener)
      await a.publish('boom', 'x')
      await a.publish('boom', 'y')
      await fine.next(2)
      await eventually(() => log.errors().length >= 4)
      const messages = log.errors().map((record) => record.err?.message)
      expect(messages).toContain('listener broke')
      expect(messages).toContain('listener rejected')
      expect(log.errors()[0]!.msg).toContain('boom')
    })

    it('refuses a bad message or channel, and everything once closed', async () => {
      const { a } = await pair()
      await expect(a.publish('c', undefined as unknown as Message)).rejects.toThrow(TypeError)
      await expect(a.publish(5 as unknown as string, 'x')).rejects.toThrow(TypeError)
      await expect(a.subscribe('c', 'nope' as unknown as () => void)).rejects.toThrow(TypeError)
      const quiet = collector()
      await a.subscribe('c', quiet.listener)
      expect(a.closed).toBe(false)
      await a.close()
      await a.close()
      expect(a.closed).toBe(true)
      await expect(a.publish('c', 'x')).rejects.toThrow(/closed/)
      await expect(a.subscribe('c', quiet.listener)).rejects.toMatchObject({ name: 'PubSubError' })
    })
  })
}
