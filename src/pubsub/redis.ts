/**
 * The `redis://` backend on ioredis: channels shared by every server that
 * talks to one Redis. Two connections, one to publish and one subscribed;
 * both reconnect after Redis restarts, the subscribed one resubscribes every
 * channel and pattern of the process, and the log says when the connection
 * is lost and when it is back.
 * @module
 */
import { once } from 'node:events'

import type * as Ioredis from 'ioredis'
import type { Redis } from 'ioredis'

import { checkPubSub } from '../process/settings.js'
import { lazyRequire } from '../wsgi/lazy.js'
import { type Kind, PubSubBase, type PubSubBaseOptions } from './base.js'
import { type Packet, fromRedis, toRedis } from './codec.js'
import { PubSubError } from './types.js'

// ioredis takes a quarter of a second to load: only a Redis backend loads it
const loadIoredis = lazyRequire<typeof Ioredis>('ioredis')

/** The options of a Redis pubsub. */
export interface RedisPubSubOptions extends PubSubBaseOptions {
  /** Seconds the first connection may take; a publish waiting for it fails after that. @default 10 */
  connectTimeout?: number
}

/** The URL as logs show it: without its password. */
function redact(url: URL): string {
  const shown = new URL(url.href)
  if (shown.password) shown.password = '***'
  return shown.href
}

/** Milliseconds before reconnection attempt `times`: 50 ms, doubling up to 2 s, with jitter. */
function retryDelay(times: number): number {
  return Math.min(50 * 2 ** Math.min(times - 1, 10), 2000) + Math.floor(Math.random() * 50)
}

/** Channels shared by every server that uses the same Redis server. */
export class RedisPubSub extends PubSubBase {
  readonly name: string
  readonly #publisher: Redis
  readonly #subscriber: Redis
  readonly #connectTimeoutMs: number
  // the connections that reached 'ready' at least once
  readonly #connected = new WeakSet<Redis>()
  #lost = false
  #lastError: Error | undefined

  /** `url`: `redis://[:password@]host[:port][/db]` (`rediss://` for TLS). */
  constructor(url: string, options: RedisPubSubOptions = {}) {
    const problem = checkPubSub(url)
    if (problem || !/^rediss?:/.test(url))
      throw new TypeError(`Redis URL ${JSON.stringify(url)} ${problem ?? 'is not redis://'}`)
    const seconds = options.connectTimeout ?? 10
    if (!(seconds > 0)) throw new TypeError(`connectTimeout must be positive, not ${seconds}`)
    super(options)
    this.name = redact(new URL(url))
    this.#connectTimeoutMs = seconds * 1000
    const common = {
      connectTimeout: this.#connectTimeoutMs,
      retryStrategy: retryDelay,
      // pub/sub channels live outside databases: no need to check the server is loaded
      enableReadyCheck: false,
      autoResubscribe: false,
      disableClientInfo: true,
    }
    // a message published while Redis is away is refused at once, not queued without bound
    const { Redis } = loadIoredis()
    this.#publisher = new Redis(url, {
      ...common,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 2,
    })
    // a subscription made while Redis is away waits for it
    this.#subscriber = new Redis(url, { ...common, maxRetriesPerRequest: null })
    // before #watch: on the first 'ready' there is nothing to resubscribe
    this.#subscriber.on('ready', () => this.#resubscribe())
    this.#watch(this.#publisher)
    this.#watch(this.#subscriber)
    this.#subscriber.on('messageBuffer', (channel: Buffer, payload: Buffer) => {
      const name = channel.toString()
      this.deliverTo('channel', name, name, fromRedis(payload))
    })
    this.#subscriber.on('pmessageBuffer', (pattern: string, channel: Buffer, payload: Buffer) =>
      this.deliverTo('pattern', pattern, channel.toString(), fromRedis(payload)),
    )
  }

  protected async send(channel: string, packet: Packet): Promise<void> {
    const publisher = this.#publisher
    // ioredis says 'ready' until it handles the socket's 'close', a turn of the event loop
    // after Redis closed it: a socket that can no longer be written is unreachable too
    if (publisher.status !== 'ready' || !publisher.stream.writable) {
      if (this.#connected.has(publisher))
        throw new PubSubError(`Redis at ${this.name} is unreachable: the message was not published`)
      await this.#firstConnection()
    }
    try {
      await publisher.publish(channel, toRedis(packet))
    } catch (error) {
      throw new PubSubError(
        `Redis at ${this.name} did not take the message: ${(error as Error).message}`,
        {
          cause: error,
        },
      )
    }
  }

  protected override async join(kind: Kind, name: string): Promise<void> {
    if (kind === 'channel') await this.#subscriber.subscribe(name)
    else await this.#subscriber.psubscribe(name)
  }

  protected override async leave(kind: Kind, name: string): Promise<void> {
    if (kind === 'channel') await this.#subscriber.unsubscribe(name)
    else await this.#subscriber.punsubscribe(name)
  }

  protected async shutdown(): Promise<void> {
    await Promise.all(
      [this.#publisher, this.#subscriber].map(async (connection) => {
        // between two attempts there is no socket left to close: no 'end' will come
        const waiting = connection.status === 'reconnecting' || connection.status === 'end'
        const ended = waiting ? undefined : once(connection, 'end')
        connection.disconnect()
        await ended
      }),
    )
  }

  /** Waits for the publishing connection's first 'ready', at most `connectTimeout`. */
  #firstConnection(): Promise<void> {
    const publisher = this.#publisher
    return new Promise((resolve, reject) => {
      const ready = () => {
        clearTimeout(timer)
        resolve()
      }
      // not events.once: it rejects on the 'error' of each failed attempt
      const timer = setTimeout(() => {
        publisher.off('ready', ready)
        const reason = this.#lastError ? ` (${this.#lastError.message})` : ''
        reject(
          new PubSubError(
            `Could not connect to Redis at ${this.name} within ${this.#connectTimeoutMs / 1000} s${reason}`,
          ),
        )
      }, this.#connectTimeoutMs)
      publisher.once('ready', ready)
    })
  }

  /** The subscribed connection is back: subscribe again to what the process listens to. */
  #resubscribe(): void {
    if (!this.#connected.has(this.#subscriber) || this.closed) return
    const channels = this.channels()
    const patterns = this.patterns()
    const done: Promise<unknown>[] = []
    if (channels.length) done.push(this.#subscriber.subscribe(...channels))
    if (patterns.length) done.push(this.#subscriber.psubscribe(...patterns))
    Promise.all(done).then(
      () =>
        this.logger.info(
          `Resubscribed to ${channels.length} channel(s) and ${patterns.length} pattern(s) on Redis at ${this.name}`,
        ),
      (error: unknown) =>
        this.logger.error({ err: error }, `Could not resubscribe on Redis at ${this.name}`),
    )
  }

  #watch(connection: Redis): void {
    // ioredis emits an error for each failed attempt: the warning below says it once
    connection.on('error', (error: Error) => {
      this.#lastError = error
      this.logger.debug({ err: error }, `Redis at ${this.name}: ${error.message}`)
      if (!this.#connected.has(connection) && !this.#lost) {
        this.#lost = true
        this.logger.warn(`Cannot connect to Redis at ${this.name} (${error.message}): retrying`)
      }
    })
    connection.on('close', () => {
      if (this.closed || !this.#connected.has(connection) || this.#lost) return
      this.#lost = true
      this.logger.warn(
        `Disconnected from Redis at ${this.name}: reconnecting; messages published meanwhile are refused`,
      )
    })
    connection.on('ready', () => {
      this.#connected.add(connection)
      const both = this.#publisher.status === 'ready' && this.#subscriber.status === 'ready'
      if (!this.#lost || !both) return
      this.#lost = false
      this.#lastError = undefined
      this.logger.info(`Redis at ${this.name} is reachable again`)
    })
  }
}
