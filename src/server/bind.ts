/**
 * The `bind` setting: where a server listens, a TCP host and port or a unix
 * socket path.
 * @module
 */
import { isIPv6 } from 'node:net'

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
