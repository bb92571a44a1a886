/**
 * What the WebSocket layer needs from a protocol engine, declared here so
 * that the engine's own types (ws) stay inside engine.ts.
 * @module
 */

/** An open RFC 6455 connection as the engine drives it. */
export interface EngineSocket {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number
  /** Bytes queued for sending and not yet handed to the kernel. */
  readonly bufferedAmount: number
  /** The subprotocol agreed in the handshake, or `''`. */
  readonly protocol: string
  send(data: string | Uint8Array): void
  ping(data?: string | Uint8Array): void
  pong(data?: string | Uint8Array): void
  close(code?: number, reason?: string): void
  terminate(): void
  pause(): void
  resume(): void
}

/**
 * Where the engine delivers what happens on a connection, in order, with the
 * connection's owner as first argument: one set of functions serves every
 * connection, so an idle socket costs no closures.
 */
export interface EngineEvents<Owner> {
  message(owner: Owner, data: Buffer, isBinary: boolean): void
  ping(owner: Owner, data: Buffer): void
  pong(owner: Owner, data: Buffer): void
  /**
   * The peer's close frame arrived (`code` 1005 when it had none); the
   * connection is still open for sending. Returns `false` for the engine to
   * answer it at once, `true` to answer it later with `close()` (once the
   * messages received before it are handled).
   */
  closing(owner: Owner, code: number, reason: string): boolean
  /** The connection closed: the code of the peer's close frame (1005 none, 1006 none at all) and its reason. */
  close(owner: Owner, code: number, reason: string): void
  /** A protocol or socket error; the engine closes the connection itself. */
  error(owner: Owner, error: Error & { code?: string }): void
}
