/**
 * One port for every worker when the bind asks for any (port 0).
 * @module
 */
import { type AddressInfo, createServer as createNetServer } from 'node:net'

import { parseBind } from '../server/bind.js'

/**
 * For a bind on port 0, a free port to give every worker instead: workers
 * that each asked for port 0 could end up on different ports, and a worker
 * forked after the others died would. `undefined` when the bind names a port.
 */
export async function pinPort(bind: string): Promise<string | undefined> {
  const address = parseBind(bind)
  if (!address || 'path' in address || address.port !== 0) return undefined
  const probe = createNetServer()
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject)
    probe.listen({ host: address.host, port: 0 }, resolve)
  })
  const { port } = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  const host = address.host?.includes(':') ? `[${address.host}]` : (address.host ?? '')
  return `${host}:${port}`
}
