/**
 * PubSubWS (pulsar's name): a WebSocket handler whose sockets receive what
 * is published on channels, across every process the PubSub reaches.
 * @module
 */
import { WS } from '../websocket/handler.js'
import type { WebSocketProtocol } from '../websocket/protocol.js'
import type { Message, PubSub, Unsubscribe } from './types.js'

/** The channels of a socket: fixed names, or chosen per socket (from its `urlargs`, its user...). */
export type SocketChannels =
  string | readonly string[] | ((ws: WebSocketProtocol) => string | readonly string[])

/** The sockets of this process listening to one channel, and the one subscription they share. */
interface Audience {
  readonly sockets: Set<WebSocketProtocol>
  readonly subscribed: Promise<Unsubscribe>
  /** A channel named when the handler was made: subscribed for the handler's life. */
  readonly standing: boolean
}

/**
 * A WS handler that subscribes each socket to its channels when it opens,
 * writes every message published on them to it, and unsubscribes it when it
 * closes. Subclass it for `onMessage` and the rest; a subclass that
 * overrides `onOpen` or `onClose` calls `super`'s.
 *
 * The sockets of one channel share one subscription per process. Channels
 * given by name are subscribed from the moment the handler is made (await
 * `ready` before serving, and a socket receives from its first moment);
 * channels a function picks are subscribed when their first socket opens
 * and unsubscribed when their last one closes. Each message is turned into
 * what is written (`toSocket`) once per process, not once per socket.
 * Writes are not awaited, so that one slow socket does not hold back the
 * others: a socket that stops reading is bound by its route's
 * `maxBufferedAmount`, past which it is closed with 1008 (docs/pubsub.md).
 */
export class PubSubWS extends WS {
  /** Where the messages come from. */
  readonly pubsub: PubSub
  readonly #channels: SocketChannels
  readonly #audiences = new Map<string, Audience>()
  readonly #joined = new WeakMap<WebSocketProtocol, readonly string[]>()
  /** Settles once the channels given by name are subscribed (at once for a function of the socket). */
  readonly ready: Promise<void>

  /** `channels`: the channel, the channels, or a function giving them for a socket. */
  constructor(pubsub: PubSub, channels: SocketChannels) {
    super()
    const named = typeof channels === 'function' ? [] : [channels].flat()
    if (!named.every((channel) => typeof channel === 'string'))
      throw new TypeError('PubSubWS channels must be strings, or a function of the socket')
    this.pubsub = pubsub
    this.#channels = channels
    const subscribed = [...new Set(named)].map(
      (channel) => this.#audience(channel, true).subscribed,
    )
    this.ready = Promise.all(subscribed).then(() => undefined)
    // awaiting it is optional: after a failure, the next socket to open subscribes again
    this.ready.catch(() => undefined)
  }

  /** The channels `ws` listens to. */
  channels(ws: WebSocketProtocol): readonly string[] {
    const channels = typeof this.#channels === 'function' ? this.#channels(ws) : this.#channels
    return typeof channels === 'string' ? [channels] : channels
  }

  /**
   * What is written to the sockets for a message published on `channel`:
   * strings and bytes as they are (a text and a binary message), any other
   * value as JSON text. Return `undefined` to write nothing.
   */
  toSocket(message: Message, _channel: string): string | Uint8Array | undefined {
    if (typeof message === 'string' || message instanceof Uint8Array) return message
    return JSON.stringify(message)
  }

  /** Subscribes the socket to its channels; resolves once the messages published on them reach it. */
  override async onOpen(ws: WebSocketProtocol): Promise<void> {
    const channels = [...new Set(this.channels(ws))]
    this.#joined.set(ws, channels)
    await Promise.all(channels.map((channel) => this.#join(channel, ws)))
  }

  /** Unsubscribes the socket. */
  override async onClose(ws: WebSocketProtocol, _code: number, _reason: string): Promise<void> {
    const channels = this.#joined.get(ws) ?? []
    this.#joined.delete(ws)
    await Promise.all(channels.map((channel) => this.#leave(channel, ws)))
  }

  /** Ends the subscriptions of the channels given by name (sockets still open stop receiving). */
  async close(): Promise<void> {
    const standing = [...this.#audiences].filter(([, audience]) => audience.standing)
    for (const [channel] of standing) this.#audiences.delete(channel)
    await Promise.all(standing.map(([, audience]) => this.#unsubscribe(audience)))
  }

  #audience(channel: string, standing: boolean): Audience {
    let audience = this.#audiences.get(channel)
    if (audience === undefined) {
      const sockets = new Set<WebSocketProtocol>()
      const subscribed = this.pubsub.subscribe(channel, (message, on) =>
        this.#fanOut(sockets, message, on),
      )
      const created: Audience = { sockets, subscribed, standing }
      this.#audiences.set(channel, created)
      // a failed subscription is the opening socket's error; the next socket tries again
      subscribed.catch(() => {
        if (this.#audiences.get(channel) === created) this.#audiences.delete(channel)
      })
      audience = created
    }
    return audience
  }

  #join(channel: string, ws: WebSocketProtocol): Promise<Unsubscribe> {
    const audience = this.#audience(channel, false)
    audience.sockets.add(ws)
    return audience.subscribed
  }

  async #leave(channel: string, ws: WebSocketProtocol): Promise<void> {
    const audience = this.#audiences.get(channel)
    if (!audience?.sockets.delete(ws) || audience.sockets.size > 0 || audience.standing) return
    this.#audiences.delete(channel)
    await this.#unsubscribe(audience)
  }

  async #unsubscribe(audience: Audience): Promise<void> {
    const unsubscribe = await audience.subscribed.catch(() => undefined)
    await unsubscribe?.()
  }

  #fanOut(sockets: ReadonlySet<WebSocketProtocol>, message: Message, channel: string): void {
    if (sockets.size === 0) return
    const data = this.toSocket(message, channel)
    if (data === undefined) return
    for (const ws of sockets) void ws.write(data)
  }
}
