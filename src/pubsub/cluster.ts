/**
 * The `cluster` backend: channels shared by the workers of one arbiter over
 * node:cluster's IPC. A worker sends what it publishes to the arbiter, which
 * relays it to every worker, this one included; no external service.
 * @module
 */
import cluster from 'node:cluster'

import type { Publication } from '../process/messages.js'
import { PubSubBase, type PubSubBaseOptions } from './base.js'
import { type Packet, fromIpc, toIpc } from './codec.js'
import { PubSubError } from './types.js'

/** Channels shared by the workers of this process's arbiter. */
export class ClusterPubSub extends PubSubBase {
  readonly name = 'cluster'

  /** Throws a `PubSubError` outside a worker (with `workers` at 0, use `memory`). */
  constructor(options: PubSubBaseOptions = {}) {
    if (!cluster.isWorker)
      throw new PubSubError(
        'The cluster pubsub needs an arbiter: run with --workers 1 or more, or use memory',
      )
    super(options)
    process.on('message', this.#received)
  }

  readonly #received = (message: unknown): void => {
    if ((message as Partial<Publication> | null)?.pulsar !== 'publish') return
    const { channel } = message as Publication
    const packet = fromIpc(message)
    if (typeof channel === 'string' && packet) this.deliver(channel, packet)
  }

  protected send(channel: string, packet: Packet): Promise<void> {
    return new Promise((resolve, reject) => {
      const failed = () =>
        reject(new PubSubError('The arbiter is gone: the message was not published'))
      if (!process.connected) return failed()
      const message: Publication = { pulsar: 'publish', channel, ...toIpc(packet) }
      process.send!(message, (error: Error | null) => (error ? failed() : resolve()))
    })
  }

  protected shutdown(): Promise<void> {
    process.off('message', this.#received)
    return Promise.resolve()
  }
}
