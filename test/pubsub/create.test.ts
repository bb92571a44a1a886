/** Choosing the backend: the `pubsub` setting, createPubSub() and getPubSub(environ). */
import { describe, expect, it } from 'vitest'

import {
  ClusterPubSub,
  type Environ,
  MemoryPubSub,
  PubSubError,
  RedisPubSub,
  type StartResponse,
  createPubSub,
  getPubSub,
} from 'pulsar-ts'
import { inject, testWsgiEnviron } from 'pulsar-ts/testing'

import { fromArgv, fromEnv, resolveConfig } from '../../src/process/settings.js'
import { serve } from '../helpers/listen.js'
import { capturingLogger } from '../helpers/logger.js'
import { eventually } from '../helpers/wait.js'

describe('the pubsub setting', () => {
  it('accepts memory, cluster, redis:// and rediss:// URLs, and empty', () => {
    for (const value of [
      '',
      'memory',
      'cluster',
      'redis://127.0.0.1:6379/2',
      'rediss://h',
      'redis://h/',
    ])
      expect(resolveConfig({ pubsub: value }).pubsub).toBe(value)
  })

  it.each([
    ['redis', /not memory, cluster or a redis:\/\/ URL/],
    ['http://127.0.0.1:6379', /not memory, cluster or a redis:\/\/ URL/],
    ['redis://', /needs a host/],
    ['redis://h:6379/db', /database that is not a number/],
  ])('refuses %s', (value, message) => {
    expect(() => resolveConfig({ pubsub: value })).toThrow(message)
  })

  it('defaults to empty, and comes from --pubsub and PULSAR_PUBSUB like every setting', () => {
    expect(resolveConfig({}).pubsub).toBe('')
    expect(fromArgv(['--pubsub', 'memory']).values.pubsub).toBe('memory')
    expect(fromEnv({ PULSAR_PUBSUB: 'redis://h:1/0' }).pubsub).toBe('redis://h:1/0')
  })
})

describe('createPubSub', () => {
  const { logger } = capturingLogger()

  it('picks memory with no workers and cluster with workers when the setting is empty', () => {
    expect(createPubSub('', { logger })).toBeInstanceOf(MemoryPubSub)
    expect(createPubSub('memory', { logger, workers: 4 })).toBeInstanceOf(MemoryPubSub)
    // this test process is no worker: cluster says what it needs
    expect(() => createPubSub('', { logger, workers: 2 })).toThrow(PubSubError)
    expect(() => new ClusterPubSub({ logger })).toThrow(/--workers 1 or more/)
  })

  it('makes a Redis backend from a URL, and refuses anything else', async () => {
    const pubsub = createPubSub('redis://127.0.0.1:1/0', { logger, connectTimeout: 1 })
    expect(pubsub).toBeInstanceOf(RedisPubSub)
    expect(pubsub.name).toBe('redis://127.0.0.1:1/0')
    await pubsub.close()
    expect(() => createPubSub('zeromq://x', { logger })).toThrow(TypeError)
  })
})

describe('getPubSub', () => {
  function publisher(environ: Environ, startResponse: StartResponse) {
    const pubsub = getPubSub(environ)
    startResponse('200 OK', [['Content-Type', 'text/plain']])
    return [`${pubsub.name} ${pubsub === getPubSub(environ) ? 'same' : 'other'}`]
  }

  it('gives one PubSub per server, closed once the server drained', async () => {
    const seen = new Set<unknown>()
    const app = (environ: Environ, startResponse: StartResponse) => {
      seen.add(getPubSub(environ))
      return publisher(environ, startResponse)
    }
    const { server, url } = await serve(app)
    const other = await serve(app)
    for (const target of [url, url, other.url]) {
      const res = await fetch(target)
      expect(await res.text()).toBe('memory same')
    }
    expect(seen.size).toBe(2)
    const [first] = seen as Set<MemoryPubSub>
    await server.close()
    await eventually(() => first!.closed)
  })

  it('shares one per setting between made-up requests', async () => {
    const a = getPubSub(testWsgiEnviron())
    expect(getPubSub(testWsgiEnviron())).toBe(a)
    expect((await inject(publisher)).text).toBe('memory same')
    await a.close()
    // a closed one is replaced
    expect(getPubSub(testWsgiEnviron())).not.toBe(a)
  })
})
