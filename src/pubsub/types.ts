/**
 * The PubSub contract every backend honours: named channels, listeners that
 * get what is published on them, pattern subscriptions, and a close.
 * @module
 */
import type { Callable } from '../wsgi/types.js'

/** A value that survives `JSON.stringify` and `JSON.parse` unchanged. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/**
 * What travels on a channel: a string arrives as the same string, bytes (a
 * `Uint8Array`, a `Buffer` included) arrive as a `Buffer`, and any other
 * JSON value arrives as `JSON.parse(JSON.stringify(value))`.
 */
export type Message = string | Uint8Array | JsonValue

/**
 * Gets each message published on a channel the listener subscribed to (or
 * on a channel its pattern matches), with the channel's name. A listener
 * that throws, or whose promise rejects, is logged; the others still get
 * the message. Every listener of a process gets the same decoded value:
 * treat it as read-only.
 */
export type Listener = (message: Message, channel: string) => unknown

/** Ends one subscription; calling it again does nothing. */
export type Unsubscribe = () => Promise<void>

/**
 * Channels shared by every process the backend reaches: this process
 * (`memory`), the workers of one arbiter (`cluster`) or every server that
 * talks to one Redis (`redis://`). Delivery is at most once, in the order
 * the backend received the messages; a message published while a
 * subscriber is disconnected is not replayed.
 */
export interface PubSub {
  /** The backend: `memory`, `cluster` or the Redis URL (without its password). */
  readonly name: string
  /** True once `close()` was called. */
  readonly closed: boolean
  /**
   * Sends `message` to every listener of `channel`, in every process the
   * backend reaches, this one included. Resolves once the backend took the
   * message; rejects with a `TypeError` for a value that is not a
   * `Message`, and with a `PubSubError` when the backend cannot take it.
   */
  publish(channel: string, message: Message): Promise<void>
  /**
   * Calls `listener` (a function, or an object with a `handle` method) for
   * each message published on `channel` from now on.
   * Resolves, with the function that ends the subscription, once the
   * backend delivers the channel's messages to this process.
   */
  subscribe(channel: string, listener: Callable<Listener>): Promise<Unsubscribe>
  /**
   * Like `subscribe`, for every channel whose name matches a Redis glob
   * `pattern`: `*` any run of characters, `?` one character, `[abc]`,
   * `[^abc]` and `[a-z]` one of a set, `\` escapes the next character.
   */
  psubscribe(pattern: string, listener: Callable<Listener>): Promise<Unsubscribe>
  /** Ends every subscription and lets go of the backend's resources; later calls reject. */
  close(): Promise<void>
}

/** The backend could not take or deliver a message (closed, or its service unreachable). */
export class PubSubError extends Error {
  override name = 'PubSubError'
}
