/**
 * What every backend shares: the listeners of this process by channel and by
 * pattern, the checks on what is published and subscribed, delivery that
 * isolates a failing listener, and the close.
 * @module
 */
import { toFunction } from '../wsgi/callable.js'
import { createLogger } from '../process/logger.js'
import type { Callable, Logger } from '../wsgi/types.js'
import { type Packet, decode, encode } from './codec.js'
import { globToRegExp } from './glob.js'
import { type Listener, type Message, type PubSub, PubSubError, type Unsubscribe } from './types.js'

/** A channel name or a pattern. */
export type Kind = 'channel' | 'pattern'

interface Topic {
  /** Each subscription is its own entry: one listener subscribed twice is called twice. */
  readonly entries: Set<{ listener: Listener }>
  /** Settles once the backend delivers this topic to the process. */
  readonly joined: Promise<void>
  readonly regexp?: RegExp
}

const RESOLVED = Promise.resolve()

/** What every backend's constructor takes. */
export interface PubSubBaseOptions {
  /** Where failing listeners (and Redis outages) are reported. @default a pino logger at level info */
  logger?: Logger
}

/** The shared half of a PubSub; a backend adds how messages leave and reach the process. */
export abstract class PubSubBase implements PubSub {
  abstract readonly name: string
  protected readonly logger: Logger
  readonly #channels = new Map<string, Topic>()
  readonly #patterns = new Map<string, Topic>()
  #closed = false
  #closing!: (error: PubSubError) => void
  // settles (rejected) when close() is called: subscriptions still waiting for the backend give up
  readonly #whenClosed = new Promise<never>((_, reject) => (this.#closing = reject))

  constructor(options: PubSubBaseOptions = {}) {
    this.logger = options.logger ?? createLogger({ log_level: 'info' })
  }

  get closed(): boolean {
    return this.#closed
  }

  async publish(channel: string, message: Message): Promise<void> {
    this.#check('channel', channel)
    return this.send(channel, encode(message))
  }

  subscribe(channel: string, listener: Callable<Listener>): Promise<Unsubscribe> {
    return this.#add('channel', channel, listener)
  }

  psubscribe(pattern: string, listener: Callable<Listener>): Promise<Unsubscribe> {
    return this.#add('pattern', pattern, listener)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.#whenClosed.catch(() => undefined)
    this.#closing(new PubSubError(`The ${this.name} pubsub was closed`))
    this.#channels.clear()
    this.#patterns.clear()
    await this.shutdown()
  }

  /** The channels this process listens to. */
  protected channels(): string[] {
    return [...this.#channels.keys()]
  }

  /** The patterns this process listens to. */
  protected patterns(): string[] {
    return [...this.#patterns.keys()]
  }

  /** Hands a message to the backend; `channel` and the message were checked. */
  protected abstract send(channel: string, packet: Packet): Promise<void>

  /** The first listener of a topic came: the backend starts delivering it here. */
  protected join(_kind: Kind, _name: string): Promise<void> {
    return RESOLVED
  }

  /** The last listener of a topic left. */
  protected leave(_kind: Kind, _name: string): Promise<void> {
    return RESOLVED
  }

  /** Lets go of the backend's resources, once. */
  protected abstract shutdown(): Promise<void>

  /** A message reached the process: every listener of its channel and of every pattern it matches. */
  protected deliver(channel: string, packet: Packet): void {
    const topics: Topic[] = []
    const exact = this.#channels.get(channel)
    if (exact) topics.push(exact)
    for (const topic of this.#patterns.values()) if (topic.regexp!.test(channel)) topics.push(topic)
    this.#dispatch(topics, channel, packet)
  }

  /** A message reached the process for the listeners of one topic (the backend matched it). */
  protected deliverTo(kind: Kind, name: string, channel: string, packet: Packet): void {
    const topic = (kind === 'channel' ? this.#channels : this.#patterns).get(name)
    if (topic) this.#dispatch([topic], channel, packet)
  }

  #dispatch(topics: Topic[], channel: string, packet: Packet): void {
    if (topics.length === 0) return
    let message: Message
    try {
      message = decode(packet)
    } catch (error) {
      this.logger.warn({ err: error, channel }, `Dropped an undecodable message on ${channel}`)
      return
    }
    for (const topic of topics)
      for (const entry of [...topic.entries]) {
        // unsubscribed by a listener called before it
        if (!topic.entries.has(entry)) continue
        try {
          const result = entry.listener(message, channel) as { catch?: unknown } | undefined
          if (typeof result?.catch === 'function')
            (result as Promise<unknown>).catch((error: unknown) => this.#failed(error, channel))
        } catch (error) {
          this.#failed(error, channel)
        }
      }
  }

  #failed(error: unknown, channel: string): void {
    this.logger.error({ err: error, channel }, `A pubsub listener of ${channel} failed`)
  }

  #check(kind: Kind, name: unknown): void {
    if (this.#closed) throw new PubSubError(`The ${this.name} pubsub is closed`)
    if (typeof name !== 'string') throw new TypeError(`A pubsub ${kind} must be a string`)
  }

  async #add(kind: Kind, name: string, callable: Callable<Listener>): Promise<Unsubscribe> {
    this.#check(kind, name)
    const entry = { listener: toFunction(callable, 'A pubsub listener') }
    const topics = kind === 'channel' ? this.#channels : this.#patterns
    let topic = topics.get(name)
    if (topic === undefined) {
      topic = {
        entries: new Set(),
        joined: this.join(kind, name),
        ...(kind === 'pattern' ? { regexp: globToRegExp(name) } : {}),
      }
      topics.set(name, topic)
    }
    topic.entries.add(entry)
    const unsubscribe = async () => {
      if (!topic.entries.delete(entry) || topic.entries.size > 0) return
      if (topics.get(name) !== topic) return
      topics.delete(name)
      if (!this.#closed) await this.leave(kind, name)
    }
    try {
      await Promise.race([topic.joined, this.#whenClosed])
    } catch (error) {
      await unsubscribe()
      throw error
    }
    return unsubscribe
  }
}
