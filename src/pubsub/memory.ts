/**
 * The `memory` backend: channels within one process. Messages are encoded
 * and decoded as on the other backends, and delivered asynchronously, so
 * code written against it behaves the same on `cluster` and Redis.
 * @module
 */
import { PubSubBase, type PubSubBaseOptions } from './base.js'
import type { Packet } from './codec.js'

/** Channels within this process. */
export class MemoryPubSub extends PubSubBase {
  readonly name = 'memory'

  /** `options.logger`: where failing listeners are reported. */
  constructor(options: PubSubBaseOptions = {}) {
    super(options)
  }

  protected send(channel: string, packet: Packet): Promise<void> {
    // never inside publish(), nor before pending I/O: a listener that
    // publishes on its own channel must not recurse or starve the process
    setImmediate(() => {
      if (!this.closed) this.deliver(channel, packet)
    })
    return Promise.resolve()
  }

  protected shutdown(): Promise<void> {
    return Promise.resolve()
  }
}
