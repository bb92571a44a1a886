/**
 * What one response is written through, and with: node:http's
 * `ServerResponse` (or the recording one of `inject()`), and what the
 * server gives every response (its settings, logger and state).
 * @module
 */
import type { Chunk, Header, Logger } from '../wsgi/types.js'
import type { EnvironContext } from './environ.js'

/** The part of node:http's `ServerResponse` a response is written through. */
export interface ResponseSink {
  writeHead(statusCode: number, statusMessage: string, headers: Header[]): unknown
  write(chunk: Chunk): boolean
  end(chunk?: Chunk): unknown
  writeContinue(): void
  destroy(error?: Error): unknown
  once(event: 'drain' | 'close', listener: () => void): unknown
  off(event: 'drain' | 'close', listener: () => void): unknown
  readonly writableFinished: boolean
  shouldKeepAlive: boolean
  strictContentLength: boolean
}

/** What stays the same for every request a server handles. */
export interface ServerContext extends EnvironContext {
  readonly logger: Logger
  /** True once the server is shutting down: responses close their connection. */
  readonly closing: boolean
}
