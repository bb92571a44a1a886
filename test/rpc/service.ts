/** A JsonRpc service for the protocol tests, and helpers to call it in process. */
import { BadRequest, Http401, type WsgiRequest } from 'pulsar-ts'
import { JsonRpc, RpcError } from 'pulsar-ts/rpc'

import { injectRpc } from '../helpers/rpc.js'

export const merged: Record<string, unknown>[] = []

/** The naive deep merge the prototype-pollution attacks count on. */
function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>) {
  for (const key in source) {
    const value = source[key]
    if (typeof value === 'object' && value !== null) {
      target[key] ??= {}
      deepMerge(target[key] as Record<string, unknown>, value as Record<string, unknown>)
    } else target[key] = value
  }
  return target
}

export class Service extends JsonRpc {
  rpc_add(_request: WsgiRequest, a: number, b: number) {
    return a + b
  }
  rpc_scale(_request: WsgiRequest, value: number, factor = 2) {
    return value * factor
  }
  rpc_echo(_request: WsgiRequest, value: unknown) {
    return value
  }
  rpc_merge(_request: WsgiRequest, options: Record<string, unknown>) {
    merged.push(options)
    return deepMerge({}, options)
  }
  rpc_nothing(_request: WsgiRequest) {
    return undefined
  }
  rpc_fail(_request: WsgiRequest) {
    throw new Error('db password is hunter2')
  }
  async rpc_reject(_request: WsgiRequest) {
    await Promise.resolve()
    throw new Error('async secret')
  }
  rpc_custom(_request: WsgiRequest) {
    throw new RpcError(-32001, 'Quota exceeded', { limit: 10 })
  }
  rpc_unauthorized(_request: WsgiRequest) {
    throw new Http401('Bearer realm="rpc"', 'Who are you?')
  }
  rpc_bad(_request: WsgiRequest) {
    throw new BadRequest('Not like that')
  }
  rpc_bigint(_request: WsgiRequest) {
    return 10n
  }
  rpc_deep(_request: WsgiRequest) {
    let value: unknown[] = []
    for (let i = 0; i < 20_000; i++) value = [value]
    return value
  }
}

export const service = new Service()

export async function call(body: unknown, rpc: JsonRpc = service) {
  const res = await injectRpc(rpc, typeof body === 'string' ? body : JSON.stringify(body))
  return { status: res.status, reply: res.body.length ? res.json() : undefined }
}

export const code = (reply: unknown) => (reply as { error?: { code: number } }).error?.code
