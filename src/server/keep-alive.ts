/**
 * The keep-alive policy: whether the connection may carry another request
 * once this response is sent. node:http applies the protocol's own rules
 * (HTTP/1.0, `Connection: close`); these are the gateway's.
 * @module
 */
import type { WsgiInput } from '../wsgi/types.js'

// an unread body up to this size is drained by node:http so the connection can be reused
const DRAINABLE_BODY = 65536

/** What the policy looks at. */
export interface KeepAliveFacts {
  /** The request was refused before the application ran (a malformed request). */
  refused: boolean
  /** The request's body reader. */
  input: WsgiInput
  /** Whether node:http received the whole request, body included. */
  complete: boolean
  /** The server is shutting down. */
  closing: boolean
  /** Whether this is the latest request received on its connection. */
  latest: boolean
}

/**
 * Whether to close the connection after this response: after a refused
 * request; when a body is still coming that is too big (or too unknown) to
 * drain; and, while the server shuts down, on the connection's latest
 * request (pipelined ones before it leave that to the idle sweep).
 */
export function mustClose(facts: KeepAliveFacts): boolean {
  return facts.refused || unreadBody(facts) || (facts.closing && facts.latest)
}

function unreadBody({ input, complete }: KeepAliveFacts): boolean {
  if (input.tooLarge) return true
  if (complete || input.done) return false
  const length = input.length
  return length === undefined || length > DRAINABLE_BODY
}
