/**
 * The `bind` setting: where a server listens, a TCP host and port or a unix
 * socket path; and the local address its connections come in on.
 * @module
 */
import { type AddressInfo, isIPv6 } from 'node:net'

/** Where to listen: a TCP host and port, or a unix socket path. */
export type BindAddress = { host: string | undefined; port: number } | { path: string }

/** Parses a `bind` value; `undefined` when it is not one. */
export function parseBind(bind: string): BindAddress | undefined {
  if (bind.startsWith('unix:')) return bind.length > 5 ? { path: bind.slice(5) } : undefined
  if (isIPv6(bind)) return { host: bind, port: 8060 }
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*))(?::(\d{1,5}))?$/.exec(bind)
  if (!match || (match[1] !== undefined && !isIPv6(match[1]))) return undefined
  const host = match[1] ?? match[2] ?? ''
  const port = match[3] === undefined ? 8060 : Number(match[3])
  if (port > 65535 || (host === '' && match[3] === undefined)) return undefined
  return { host: host || undefined, port }
}

/** The local address of every connection to `address`: known unless it is a wildcard. */
export function fixedLocal(
  address: AddressInfo | string | null,
): readonly [string, string] | undefined {
  if (address === null) return undefined
  if (typeof address === 'string') return Object.freeze([address, ''] as const)
  if (address.address === '0.0.0.0' || address.address === '::') return undefined
  return Object.freeze([address.address, String(address.port)] as const)
}

/** The base URL of a server listening on `address`: `http://127.0.0.1:8060`, `https://[::1]:443`, `unix:/path`. */
export function urlOf(
  address: { address: string; port: number } | string,
  secure: boolean,
): string {
  if (typeof address === 'string') return `unix:${address}`
  const host = address.address.includes(':') ? `[${address.address}]` : address.address
  return `${secure ? 'https' : 'http'}://${host}:${address.port}`
}
