/** JSON-RPC over WebSocket: a JsonRpc on a WebSocket route, JsonProxy('ws://...') and raw clients. */
/* eslint-disable @typescript-eslint/no-unsafe-call -- untyped proxies (any name, any result) are part of what is tested */
import { describe, expect, it } from 'vitest'

import { Http401, WsgiHandler, type Environ, type WsgiRequest } from 'pulsar-ts'
import type { RpcError } from 'pulsar-ts/rpc'
import {
  type BatchResult,
  InvalidParams,
  JsonBatchProxy,
  JsonProxy,
  JsonRpc,
  NoSuchFunction,
} from 'pulsar-ts/rpc'
import { RpcWebSocket, WebSocketTransport } from 'pulsar-ts/rpc'
import { WebSocket } from 'pulsar-ts/websocket'

import { serve } from '../helpers/listen.js'
import { TestClient, eventually } from '../helpers/ws.js'

function service() {
  const noted: unknown[] = []
  const rpc = new JsonRpc({
    methods: {
      add: (_request, a: number, b: number) => a + b,
      user: (request: WsgiRequest) => request.environ.user ?? null,
      note: (_request, value: unknown) => void noted.push(value),
      slow: (_request, ms: number, value: unknown) =>
        new Promise((resolve) => setTimeout(() => resolve(value), ms)),
      fail: () => {
        throw new Error('secret detail')
      },
    },
  })
  return { rpc, noted }
}

async function serveRpc(middleware: ((environ: Environ) => undefined)[] = []) {
  const { rpc, noted } = service()
  const served = await serve(new WsgiHandler([...middleware, new WebSocket('/rpc', rpc)]))
  return { ...served, ws: served.url.replace(/^http/, 'ws') + '/rpc', noted }
}

describe('JsonProxy over ws://', () => {
  it('calls, with positional and named params', async () => {
    const { ws } = await serveRpc()
    const transport = new WebSocketTransport(ws)
    const proxy = new JsonProxy(transport)
    expect(await proxy.add(3, 4)).toBe(7)
    expect(await proxy.add({ b: 1, a: 2 })).toBe(3)
    transport.close()
  })

  it('takes a ws:// URL and gives methods the handshake request', async () => {
    const auth = (environ: Environ) => {
      if (environ.HTTP_AUTHORIZATION !== 'Bearer t') throw new Http401('Bearer')
      environ.user = 'alice'
      return undefined
    }
    const { ws } = await serveRpc([auth])
    const proxy = new JsonProxy(ws, { headers: { Authorization: 'Bearer t' } })
    expect(await proxy.user()).toBe('alice')
    await expect(new JsonProxy(ws).user()).rejects.toThrow('401')
  })

  it('throws the error of an error reply', async () => {
    const { ws } = await serveRpc()
    const proxy = new JsonProxy(ws)
    await expect(proxy.nothere()).rejects.toBeInstanceOf(NoSuchFunction)
    await expect(proxy.add(1)).rejects.toBeInstanceOf(InvalidParams)
    const failure = (await proxy.fail().catch((error: unknown) => error)) as RpcError
    expect(failure.code).toBe(-32603)
    expect(failure.message).not.toContain('secret')
  })

  it('sends notifications, which get no reply', async () => {
    const { ws, noted } = await serveRpc()
    const proxy = new JsonProxy(ws)
    await proxy.$notify('note', ['hello'])
    await eventually(() => noted.length === 1)
    expect(noted).toEqual(['hello'])
  })

  it('sends batches and matches the replies by id', async () => {
    const { ws } = await serveRpc()
    const batch = new JsonBatchProxy(ws)
    const a = batch.add(1, 2)
    batch.$notify('note', [1])
    const b = batch.nothere()
    const c = batch.slow(20, 'late')
    const results = (await batch.$send()) as BatchResult[]
    expect(results.map((result) => result.id)).toEqual([a, b, c])
    expect(results[0]!.result).toBe(3)
    expect(results[1]!.error).toBeInstanceOf(NoSuchFunction)
    expect(results[2]!.result).toBe('late')
  })

  it('answers the calls of one socket concurrently, each reply as it is ready', async () => {
    const { ws } = await serveRpc()
    const proxy = new JsonProxy(ws)
    const order: string[] = []
    await Promise.all([
      proxy.slow(150, 'slow').then((value: string) => order.push(value)),
      proxy.slow(10, 'fast').then((value: string) => order.push(value)),
    ])
    expect(order).toEqual(['fast', 'slow'])
  })

  it('rejects the calls in flight when the socket closes, and reconnects for the next', async () => {
    const { ws, server } = await serveRpc()
    const transport = new WebSocketTransport(ws)
    const proxy = new JsonProxy(transport)
    expect(await proxy.add(1, 1)).toBe(2)
    const pending = proxy.slow(5000, 'never')
    const closing = server.close()
    await expect(pending).rejects.toThrow('1001')
    await closing
  })

  it('times out like any JsonProxy call', async () => {
    const { ws } = await serveRpc()
    const proxy = new JsonProxy(ws, { timeout: 100 })
    await expect(proxy.slow(2000, 'x')).rejects.toThrow(/timeout|aborted/i)
  })
})

describe('raw clients', () => {
  it('answers single calls, batches, parse errors and empty batches as the spec says', async () => {
    const { ws } = await serveRpc()
    const client = await TestClient.connect(ws)
    const ask = async (text: string) => JSON.parse((await client.ask(text)) as string) as unknown
    expect(await ask('{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}')).toEqual({
      jsonrpc: '2.0',
      result: 3,
      id: 1,
    })
    expect(await ask('{"jsonrpc":"2.0","method":"add","params":[1,2]')).toMatchObject({
      error: { code: -32700 },
      id: null,
    })
    expect(await ask('[]')).toMatchObject({ error: { code: -32600 }, id: null })
    expect(
      await ask(
        '[{"jsonrpc":"2.0","method":"add","params":[1,2],"id":"a"},{"jsonrpc":"2.0","method":"note","params":[0]},1]',
      ),
    ).toEqual([
      { jsonrpc: '2.0', result: 3, id: 'a' },
      { jsonrpc: '2.0', error: { code: -32600, message: 'Invalid Request' }, id: null },
    ])
    // a notification gets nothing: the next answer is the next call's
    client.socket.send('{"jsonrpc":"2.0","method":"note","params":[1]}')
    expect(await ask('{"jsonrpc":"2.0","method":"add","params":[2,2],"id":2}')).toMatchObject({
      id: 2,
      result: 4,
    })
  })

  it('closes with 1003 on a binary message', async () => {
    const { ws } = await serveRpc()
    const client = await TestClient.connect(ws)
    client.socket.send(Buffer.from('{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}'))
    expect((await client.untilClosed()).code).toBe(1003)
  })

  it('takes a receiver of its own that answers at once or later; one that throws closes with 1011', async () => {
    const receiver = {
      receive(text: string): string | Promise<string> {
        if (text === 'boom') throw new Error('the receiver itself broke')
        if (text === 'later') return new Promise((resolve) => setTimeout(resolve, 50, 'LATER'))
        return text.toUpperCase()
      },
    }
    const { url, log } = await serve(
      new WsgiHandler([new WebSocket('/own', new RpcWebSocket(receiver))]),
    )
    const client = await TestClient.connect(url.replace(/^http/, 'ws') + '/own')
    client.socket.send('later')
    client.socket.send('now')
    await client.until(() => client.messages.length === 2)
    // the answer at once goes out before the one still to come
    expect(client.messages).toEqual(['NOW', 'LATER'])
    client.socket.send('boom')
    expect((await client.untilClosed()).code).toBe(1011)
    expect(log.records.some((r) => r.level === 50)).toBe(true)
  })

  it('checks its concurrency option', () => {
    expect(() => new RpcWebSocket(service().rpc, { concurrency: 0 })).toThrow(/concurrency/)
  })
})
