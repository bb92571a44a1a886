/** JsonProxy and JsonBatchProxy against a real server. */
/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- untyped proxies (any name, any result) are part of what is tested */
import { describe, expect, it } from 'vitest'

import { HttpException, Http401, WsgiHandler, WsgiRequest, testWsgiEnviron } from 'pulsar-ts'
import {
  InvalidParams,
  InvalidRequest,
  JsonBatchProxy,
  JsonProxy,
  JsonRpc,
  NoSuchFunction,
  RpcError,
  type RpcTransport,
} from 'pulsar-ts/rpc'

import { transports } from '../helpers/transports.js'
import { eventually } from '../helpers/wait.js'

interface Api {
  add(a: number, b: number): number
  echo(value?: unknown): unknown
  whoami(): string | null
  slow(ms: number): string
  custom(): never
  denied(): never
  record(value: unknown): void
  recorded(): unknown[]
  math: { times(a: number, b: number): number; deeper: { half(n: number): number } }
}

const recorded: unknown[] = []
let slowAborted: unknown

class Arithmetic extends JsonRpc {
  rpc_times(_request: WsgiRequest, a: number, b: number) {
    return a * b
  }
}

const service = new JsonRpc({
  path: '/rpc',
  methods: {
    add: (_request, a: number, b: number) => a + b,
    echo: (_request, value: unknown = null) => value,
    whoami: (request) => request.header('authorization') ?? null,
    slow: (request, ms: number) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => resolve('done'), ms)
        request.signal.addEventListener('abort', () => {
          clearTimeout(timer)
          slowAborted = request.signal.reason
          reject(request.signal.reason as Error)
        })
      }),
    custom: () => {
      throw new RpcError(-32050, 'Custom failure', { why: 'because' })
    },
    denied: () => {
      throw new Http401('Basic realm="rpc"')
    },
    record: (_request, value: unknown) => void recorded.push(value),
    recorded: () => recorded,
  },
}).putSubHandler(
  'math',
  new Arithmetic().putSubHandler(
    'deeper',
    new JsonRpc({ methods: { half: (_r, n: number) => n / 2 } }),
  ),
)

describe.each(transports)('the JSON-RPC clients over $name', (t) => {
  // the transport's fetch for the proxies' HTTP transport
  const via = { fetch: t.fetch as typeof fetch }

  async function start(options = {}) {
    const { url } = await t.serve(new WsgiHandler([service]), options)
    return `${url}/rpc`
  }

  describe('JsonProxy', () => {
    it('builds dotted names through attribute access', async () => {
      const proxy = new JsonProxy<Api>(await start(), via)
      expect(await proxy.add(3, 4)).toBe(7)
      expect(await proxy.math.times(3, 4)).toBe(12)
      expect(await proxy.math.deeper.half(3)).toBe(1.5)
      expect(proxy.$url).toMatch(new RegExp(`^${t.scheme}://127\\.0\\.0\\.1:\\d+/rpc$`))
    })

    it('sends named params when the one argument is a plain object', async () => {
      const proxy = new JsonProxy(await start(), via)
      expect(await proxy.add({ a: 1, b: 2 })).toBe(3)
      expect(await proxy.echo({ value: { nested: true } })).toEqual({ nested: true })
      await expect(proxy.echo({ nested: true })).rejects.toBeInstanceOf(InvalidParams)
      // $call sends exactly the params given: one object, positionally
      expect(await proxy.$call('echo', [{ nested: true }])).toEqual({ nested: true })
      expect(await proxy.echo()).toBeNull()
      expect(await proxy.echo([1, 2])).toEqual([1, 2])
    })

    it('throws the RpcError of an error reply, with code, message and data', async () => {
      const proxy = new JsonProxy<Api>(await start(), via)
      const error: unknown = await proxy.custom().catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(RpcError)
      expect(error).toMatchObject({
        code: -32050,
        message: 'Custom failure',
        data: { why: 'because' },
      })
      await expect(proxy.$call('add', [1, 2, 3])).rejects.toBeInstanceOf(InvalidParams)
      await expect(proxy.$call('nope')).rejects.toBeInstanceOf(NoSuchFunction)
      await expect(proxy.$call('math.nope.deeper')).rejects.toBeInstanceOf(NoSuchFunction)
      await expect(proxy.denied()).rejects.toMatchObject({ code: -32000, data: { status: 401 } })
    })

    it('throws an HttpException for a reply that is no JSON-RPC', async () => {
      const { url } = await t.serve(new WsgiHandler([service]))
      const proxy = new JsonProxy(`${url}/elsewhere`, via)
      const error: unknown = await proxy.$call('add', [1, 2]).catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(HttpException)
      expect((error as HttpException).status).toBe(404)
    })

    it('sends the headers option', async () => {
      const proxy = new JsonProxy<Api>(await start(), {
        ...via,
        headers: { Authorization: 'Bearer abc' },
      })
      expect(await proxy.whoami()).toBe('Bearer abc')
    })

    it('gives up after the timeout, and the server method sees its client go', async () => {
      slowAborted = undefined
      // undici opens a fresh connection after the abort: a short drain closes it sooner
      const proxy = new JsonProxy<Api>(await start({ graceful_timeout: 0.3 }), {
        ...via,
        timeout: 150,
      })
      // the method would answer after 10 minutes: only the timeout can end the call
      await expect(proxy.slow(600_000)).rejects.toMatchObject({ name: 'TimeoutError' })
      await eventually(() => slowAborted !== undefined)
      expect((slowAborted as Error).name).toBe('ClientDisconnected')
    })

    it('sends notifications: the method runs, nothing comes back', async () => {
      recorded.length = 0
      const proxy = new JsonProxy<Api>(await start(), via)
      expect(await proxy.$notify('record', ['hello'])).toBeUndefined()
      expect(await proxy.recorded()).toEqual(['hello'])
    })

    it('is not a thenable, and refuses a call of itself', async () => {
      const proxy = new JsonProxy('http://127.0.0.1:9/')
      expect(proxy.then).toBeUndefined()
      expect(await Promise.resolve(proxy)).toBe(proxy)
      expect(() => (proxy as () => unknown)()).toThrow(TypeError)
    })

    it('needs a transport for schemes other than http(s) and ws(s)', () => {
      expect(() => new JsonProxy('ftp://127.0.0.1:9/')).toThrow(/transport/)
      expect(() => new JsonProxy('http://127.0.0.1:9/', { timeout: 0 })).toThrow(RangeError)
    })

    it('takes any transport: here one that calls the handler in process', async () => {
      const seen: string[] = []
      const inProcess: RpcTransport = {
        send: async (message) => {
          seen.push(message)
          return service.receive(message, new WsgiRequest(testWsgiEnviron({ method: 'POST' })))
        },
      }
      const proxy = new JsonProxy<Api>(inProcess)
      expect(await proxy.math.times(6, 7)).toBe(42)
      expect(JSON.parse(seen[0]!)).toEqual({
        jsonrpc: '2.0',
        method: 'math.times',
        params: [6, 7],
        id: 1,
      })
      expect(await proxy.$notify('record', [1])).toBeUndefined()
    })
  })

  describe('JsonBatchProxy', () => {
    it('sends queued calls as one batch and matches the results by id', async () => {
      const batch = new JsonBatchProxy<Api>(await start(), via)
      const first = batch.add(1, 2)
      const second = batch.math.times(3, 4)
      const third = batch.$call('add', [1, 2, 3])
      batch.$notify('record', ['from a batch'])
      expect(batch.$size).toBe(4)
      const results = await batch.$send()
      expect(batch.$size).toBe(0)
      expect(results.map(({ id }) => id)).toEqual([first, second, third])
      expect(results[0]).toEqual({ id: first, result: 3 })
      expect(results[1]).toEqual({ id: second, result: 12 })
      expect(results[2]!.error).toBeInstanceOf(InvalidParams)
    })

    it('sends a batch of one as a batch', async () => {
      const batch = new JsonBatchProxy<Api>(await start(), via)
      batch.echo('one')
      expect(await batch.$send()).toEqual([{ id: 1, result: 'one' }])
    })

    it('answers an empty batch without sending it, and a batch of notifications with []', async () => {
      recorded.length = 0
      const batch = new JsonBatchProxy<Api>(await start(), via)
      expect(await batch.$send()).toEqual([])
      batch.$notify('record', ['a'])
      batch.$notify('record', ['b'])
      expect(await batch.$send()).toEqual([])
      expect(new Set(recorded)).toEqual(new Set(['a', 'b']))
    })

    it('throws the error of a batch the server refused whole', async () => {
      const small = new JsonRpc({ methods: { ping: () => 'pong' }, maxBatch: 2 })
      const { url } = await t.serve(new WsgiHandler([small]))
      const batch = new JsonBatchProxy(url, via)
      for (let i = 0; i < 3; i++) batch.ping()
      await expect(batch.$send()).rejects.toBeInstanceOf(InvalidRequest)
    })
  })
})
