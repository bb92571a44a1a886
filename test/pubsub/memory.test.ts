/** The memory backend: the contract within one process, and delivery that never runs inside publish(). */
import { describe, expect, it } from 'vitest'

import { MemoryPubSub } from 'pulsar-ts'

import { capturingLogger } from '../helpers/logger.js'
import { collector, pubsubContract } from './contract.js'

describe('MemoryPubSub', () => {
  pubsubContract(() => {
    const log = capturingLogger()
    const pubsub = new MemoryPubSub({ logger: log.logger })
    return Promise.resolve({ a: pubsub, b: pubsub, log })
  })

  it('delivers after publish() returned, so a listener that publishes does not recurse', async () => {
    const pubsub = new MemoryPubSub({ logger: capturingLogger().logger })
    const order: string[] = []
    let echoes = 0
    await pubsub.subscribe('ping', async (message) => {
      order.push(`got ${message as string}`)
      if (echoes++ < 3) await pubsub.publish('ping', `echo ${echoes}`)
    })
    const published = pubsub.publish('ping', 'first')
    order.push('published')
    await published
    const got = collector()
    await pubsub.subscribe('ping', got.listener)
    await got.next(3)
    expect(order.slice(0, 2)).toEqual(['published', 'got first'])
    expect(order).toContain('got echo 3')
    await pubsub.close()
  })

  it('gives the publisher no shared reference: the message is copied when published', async () => {
    const pubsub = new MemoryPubSub({ logger: capturingLogger().logger })
    const got = collector()
    await pubsub.subscribe('c', got.listener)
    const value = { n: 1 }
    await pubsub.publish('c', value)
    value.n = 2
    expect(await got.next(1)).toStrictEqual([[{ n: 1 }, 'c']])
    await pubsub.close()
  })
})
