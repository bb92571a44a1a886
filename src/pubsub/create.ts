/**
 * Choosing the backend: `createPubSub()` from a `pubsub` setting, and
 * `getPubSub(environ)`, the one PubSub of the server serving a request.
 * @module
 */
import type { Environ, ServerHandle } from '../wsgi/types.js'
import { ClusterPubSub } from './cluster.js'
import { MemoryPubSub } from './memory.js'
import { RedisPubSub, type RedisPubSubOptions } from './redis.js'
import type { PubSub } from './types.js'

/** The options of `createPubSub`: the logger, a Redis backend's `connectTimeout`, and `workers`. */
export interface PubSubOptions extends RedisPubSubOptions {
  /** The `workers` setting, which picks the backend when the setting is empty. @default 0 */
  workers?: number
}

/**
 * The backend a `pubsub` setting names: `memory`, `cluster` or a
 * `redis://host:port/db` URL; the empty setting is `memory` with 0 workers
 * and `cluster` with 1 or more. Throws a TypeError for anything else.
 */
export function createPubSub(setting: string, options: PubSubOptions = {}): PubSub {
  const { workers = 0, ...rest } = options
  const backend = setting || (workers > 0 ? 'cluster' : 'memory')
  if (backend === 'memory') return new MemoryPubSub(rest)
  if (backend === 'cluster') return new ClusterPubSub(rest)
  return new RedisPubSub(backend, rest)
}

const byServer = new WeakMap<ServerHandle, PubSub>()
// made-up requests (inject, testWsgiEnviron) have no server: one per setting
const bySetting = new Map<string, PubSub>()

/**
 * The PubSub of the server serving `environ`, as its `pubsub` and `workers`
 * settings say: created on first use, one per server, and closed once the
 * server has drained. Made-up requests share one per setting.
 */
export function getPubSub(environ: Environ): PubSub {
  const cfg = environ['pulsar.cfg']
  const server = environ['pulsar.connection'].server
  const known = server ? byServer.get(server) : bySetting.get(cfg.pubsub)
  if (known && !known.closed) return known
  const pubsub = createPubSub(cfg.pubsub, {
    workers: cfg.workers,
    logger: environ['pulsar.cache'].logger,
  })
  if (server === undefined) bySetting.set(cfg.pubsub, pubsub)
  else {
    byServer.set(server, pubsub)
    // close hooks run as the server starts closing; the pubsub goes once it
    // drained, for requests still answering may publish
    server.onClose(() => queueMicrotask(() => void server.close().then(() => pubsub.close())))
  }
  return pubsub
}
