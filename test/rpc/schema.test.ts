/** Methods whose params are checked by schemas (zod and valibot), over a real socket: -32602 with the issues. */
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import * as z from 'zod'

import { WsgiHandler } from 'pulsar-ts'
import { InvalidParams, JsonBatchProxy, JsonProxy, JsonRpc, rpcMethod } from 'pulsar-ts/rpc'

import { serve } from '../helpers/listen.js'
import { fetchRpc } from '../helpers/rpc.js'

const seen: unknown[] = []

class Shop extends JsonRpc {
  rpc_add = rpcMethod({
    params: [z.number(), z.number()],
    handle: (_request, a, b) => a + b,
  })

  rpc_order = rpcMethod({
    doc: 'Orders an item.',
    params: [
      v.pipe(v.string(), v.minLength(2)),
      v.optional(v.pipe(v.string(), v.transform(Number))),
    ],
    handle: (_request, item, quantity) => ({ item, quantity: quantity ?? 1 }),
  })

  rpc_book = rpcMethod({
    params: [z.object({ room: z.string(), nights: z.number().int().min(1).default(1) })],
    handle: (_request, { room, nights }) => `${room} for ${nights}`,
  })

  rpc_check = rpcMethod({
    params: [z.string().refine(async (code) => (await Promise.resolve(code)) === 'ok', 'not ok')],
    handle: (_request, code) => code,
  })

  rpc_note = rpcMethod({
    params: [z.string()],
    handle: (_request, text) => void seen.push(text),
  })
}

const root = new JsonRpc({
  methods: {
    greet: rpcMethod({ params: [z.string()], handle: (_request, name) => `hello ${name}` }),
    plain: (_request, a: number, b: number) => `${a}${b}`,
  },
}).putSubHandler('shop', new Shop())

async function start() {
  const { url } = await serve(new WsgiHandler([root]))
  return { url, proxy: new JsonProxy<typeof root>(url) }
}

/** The error a call rejects with. */
const failure = (call: Promise<unknown>) =>
  call.then(
    () => undefined,
    (error: unknown) => error,
  )

describe('params checked by schemas', () => {
  it('calls the method with the values the schemas give', async () => {
    const { proxy } = await start()
    expect(await proxy.shop.add(3, 4)).toBe(7)
    expect(await proxy.shop.order('tea', '3')).toEqual({ item: 'tea', quantity: 3 })
    expect(await proxy.shop.order('tea')).toEqual({ item: 'tea', quantity: 1 })
    expect(await proxy.greet('ada')).toBe('hello ada')
  })

  it('answers params a schema refuses with -32602 and the issues, indexed by position', async () => {
    const { url } = await start()
    const response = await fetchRpc(
      url,
      '{"jsonrpc":"2.0","method":"shop.add","params":["3","4"],"id":1}',
    )
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: {
        code: -32602,
        message: 'Invalid params',
        data: {
          issues: [
            { message: 'Invalid input: expected number, received string', path: [0] },
            { message: 'Invalid input: expected number, received string', path: [1] },
          ],
        },
      },
    })
  })

  it('reports valibot issues the same way, the path going into the value', async () => {
    const { proxy } = await start()
    const error = await failure(proxy.$call('shop.order', ['x', 5]))
    expect(error).toBeInstanceOf(InvalidParams)
    expect((error as InvalidParams).data).toEqual({
      issues: [
        { message: expect.stringContaining('length'), path: [0] },
        { message: expect.stringContaining('string'), path: [1] },
      ],
    })
    const nested = await failure(proxy.shop.book({ room: 7 as never, nights: 0 }))
    expect((nested as InvalidParams).data).toEqual({
      issues: [
        { message: expect.any(String), path: ['room'] },
        { message: expect.any(String), path: ['nights'] },
      ],
    })
  })

  it('maps named params onto the parameter names, and names them in the issues', async () => {
    const { proxy } = await start()
    expect(await proxy.$call('shop.add', { b: 2, a: 1 })).toBe(3)
    expect(await proxy.$call('shop.order', { item: 'jam' })).toEqual({ item: 'jam', quantity: 1 })
    const error = await failure(proxy.$call('shop.add', { a: 1, b: 'two' }))
    expect((error as InvalidParams).data).toEqual({
      issues: [{ message: expect.any(String), path: ['b'] }],
    })
    // a destructuring pattern takes the named params whole, defaults from its schema
    expect(await proxy.shop.book({ room: 'blue' })).toBe('blue for 1')
  })

  it('keeps the arity and name checks: too many params, an unknown name, a missing one', async () => {
    const { proxy } = await start()
    const extra = await failure(proxy.$call('shop.add', [1, 2, 3]))
    expect(extra).toMatchObject({ code: -32602, data: 'shop.add takes at most 2 params, 3 given' })
    const unknown = await failure(proxy.$call('shop.add', { a: 1, c: 2 }))
    expect(unknown).toMatchObject({ code: -32602, data: 'shop.add has no parameter "c"' })
    // a missing param is undefined, which the schema refuses
    const missing = await failure(proxy.$call('shop.add', [1]))
    expect((missing as InvalidParams).data).toEqual({
      issues: [{ message: expect.stringContaining('number'), path: [1] }],
    })
  })

  it('runs asynchronous schemas', async () => {
    const { proxy } = await start()
    expect(await proxy.shop.check('ok')).toBe('ok')
    await expect(proxy.shop.check('ko')).rejects.toMatchObject({
      code: -32602,
      data: { issues: [{ message: 'not ok', path: [0] }] },
    })
  })

  it('keeps an invalid call of a batch to itself, and never answers a notification', async () => {
    const { url, proxy } = await start()
    const batch = new JsonBatchProxy<typeof root>(url)
    const bad = batch.$call('shop.add', ['1', 2])
    const good = batch.shop.add(1, 2)
    batch.$notify('shop.note', [5])
    batch.$notify('shop.note', ['kept'])
    const [failed, added] = await batch.$send()
    expect(failed).toMatchObject({ id: bad, error: { code: -32602 } })
    expect(added).toEqual({ id: good, result: 3 })
    // the invalid notification ran nothing; the valid one did
    expect(await proxy.shop.add(0, 0)).toBe(0)
    expect(seen).toEqual(['kept'])
  })

  it('leaves methods without schemas as they were: parameter types are not checked', async () => {
    const { proxy } = await start()
    expect(await proxy.$call('plain', ['3', '4'])).toBe('34')
  })

  it('refuses params that are not Standard Schemas when the method is made', () => {
    expect(() => rpcMethod({ params: [{} as never], handle: () => null })).toThrow(
      /array of Standard Schemas/,
    )
    expect(
      () => new JsonRpc({ methods: { x: { params: [5 as never], handle: () => null } } }),
    ).toThrow(/array of Standard Schemas/)
  })
})
