/**
 * The messages between the arbiter and its workers, over node:cluster's IPC
 * channel. Each carries a `pulsar` field naming it.
 * @module
 */
import type { ClusterInfo } from '../wsgi/types.js'

/**
 * A message published on a pubsub channel (the `cluster` backend, docs/pubsub.md):
 * a worker sends it to the arbiter, which relays it to every worker, the
 * sender included, so that every worker sees the same order.
 */
export interface Publication {
  pulsar: 'publish'
  channel: string
  /** How `data` holds the message: text, JSON text, or bytes in base64. */
  kind: 'text' | 'json' | 'bytes'
  data: string
}

/** What a worker tells the arbiter. */
export type ToArbiter =
  | { pulsar: 'ready' }
  | { pulsar: 'heartbeat'; requests: number; connections: number }
  | { pulsar: 'retire' }
  | { pulsar: 'info'; ask: number }
  | Publication

/** What the arbiter tells a worker. */
export type ToWorker =
  { pulsar: 'stop' } | { pulsar: 'info'; ask: number; info: ClusterInfo } | Publication
