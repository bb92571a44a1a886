/** The protocol rules beyond the spec's examples: envelopes, ids, method lookup, params. */
import { describe, expect, it } from 'vitest'

import { JsonRpc } from 'pulsar-ts/rpc'

import { call, code, merged } from './service.js'

describe('the envelope', () => {
  it.each([
    ['a number', '42'],
    ['a string', '"str"'],
    ['null', 'null'],
    ['true', 'true'],
  ])('answers %s with -32600 and id null', async (_name, body) => {
    const { status, reply } = await call(body)
    expect(status).toBe(200)
    expect(reply).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } })
  })

  it.each([
    ['an empty body', ''],
    ['whitespace', '  \n '],
    ['a truncated object', '{"jsonrpc":"2.0"'],
  ])('answers %s with -32700 and id null', async (_name, body) => {
    expect((await call(body)).reply).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32700, message: 'Parse error' },
    })
  })

  it('answers a nested batch with an array of one -32600', async () => {
    const { reply } = await call([[{ jsonrpc: '2.0', method: 'add', params: [1, 2], id: 1 }]])
    expect(reply).toMatchObject([{ id: null, error: { code: -32600 } }])
    expect(reply).toHaveLength(1)
  })

  it('answers a batch of one call with an array', async () => {
    const { reply } = await call([{ jsonrpc: '2.0', method: 'add', params: [1, 2], id: 1 }])
    expect(reply).toEqual([{ jsonrpc: '2.0', id: 1, result: 3 }])
  })

  it('keeps the id of an invalid request when it is a valid id', async () => {
    const wrongVersion = await call({ jsonrpc: '1.0', method: 'add', params: [1, 2], id: 7 })
    expect(wrongVersion.reply).toMatchObject({ id: 7, error: { code: -32600 } })
    const noVersion = await call({ method: 'add', params: [1, 2], id: 'x' })
    expect(noVersion.reply).toMatchObject({ id: 'x', error: { code: -32600 } })
  })

  it('answers an invalid request without an id: it is no notification', async () => {
    const { status, reply } = await call({ jsonrpc: '2.0', method: 5 })
    expect(status).toBe(200)
    expect(reply).toMatchObject({ id: null, error: { code: -32600 } })
  })

  it.each([
    ['an object', {}],
    ['an array', [1]],
    ['a boolean', true],
  ])('refuses %s as id with -32600 and id null', async (_name, id) => {
    const { reply } = await call({ jsonrpc: '2.0', method: 'add', params: [1, 2], id })
    expect(reply).toMatchObject({ id: null, error: { code: -32600 } })
  })

  it('echoes ids exactly: a string stays a string, null and fractions are kept', async () => {
    for (const id of ['1', 1, 1.5, null, ''])
      expect((await call({ jsonrpc: '2.0', method: 'add', params: [1, 2], id })).reply).toEqual({
        jsonrpc: '2.0',
        id,
        result: 3,
      })
  })

  it('answers duplicate ids in a batch once each', async () => {
    const item = { jsonrpc: '2.0', method: 'add', params: [1, 2], id: 1 }
    expect((await call([item, item])).reply).toEqual([
      { jsonrpc: '2.0', id: 1, result: 3 },
      { jsonrpc: '2.0', id: 1, result: 3 },
    ])
  })

  it('takes a byte order mark before the JSON', async () => {
    const { reply } = await call('\uFEFF{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}')
    expect(reply).toEqual({ jsonrpc: '2.0', id: 1, result: 3 })
  })

  it('answers a result of undefined with null: a success always has a result', async () => {
    expect((await call({ jsonrpc: '2.0', method: 'nothing', id: 1 })).reply).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: null,
    })
  })
})

describe('method lookup', () => {
  it.each([
    'constructor',
    'toString',
    '__proto__',
    'hasOwnProperty',
    'valueOf',
    '__defineGetter__',
    'rpc_add',
    'receive',
    'handle',
    'rpc.describe', // rpc. is reserved: only rpc.discover is served
    'add.constructor',
    '',
  ])('answers %j with -32601', async (method) => {
    const { reply } = await call({ jsonrpc: '2.0', method, id: 1 })
    expect(reply).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32601, message: 'Method not found' },
    })
  })

  it('finds no inherited name in a plain map of methods either', async () => {
    const map = new JsonRpc({ methods: { add: (_request, a: number, b: number) => a + b } })
    for (const method of ['constructor', 'toString', '__proto__', 'hasOwnProperty'])
      expect(code((await call({ jsonrpc: '2.0', method, id: 1 }, map)).reply)).toBe(-32601)
  })
})

describe('params', () => {
  const ask = async (method: string, params: unknown) =>
    (await call({ jsonrpc: '2.0', method, params, id: 1 })).reply as {
      result?: unknown
      error?: { code: number; message: string; data?: unknown }
    }

  it('takes positional and named params', async () => {
    expect((await ask('add', [1, 2])).result).toBe(3)
    expect((await ask('add', { b: 2, a: 1 })).result).toBe(3)
    expect((await ask('scale', [3])).result).toBe(6)
    expect((await ask('scale', { value: 3 })).result).toBe(6)
    expect((await ask('scale', { value: 3, factor: 3 })).result).toBe(9)
  })

  it('answers more positional params than the method declares with -32602', async () => {
    const reply = await ask('add', [1, 2, 3])
    expect(reply.error).toMatchObject({ code: -32602, message: 'Invalid params' })
    expect(reply.error?.data).toContain('at most 2')
  })

  it('answers missing params, unknown names and missing names with -32602', async () => {
    expect((await ask('add', [1])).error?.code).toBe(-32602)
    expect((await ask('add', { a: 1, b: 2, c: 3 })).error?.code).toBe(-32602)
    expect((await ask('add', { a: 1 })).error?.code).toBe(-32602)
  })

  it.each([
    ['a string', 'bar'],
    ['a number', 5],
    ['null', null],
    ['a boolean', true],
  ])(
    'answers params that are %s with -32600, the id kept: no Request object',
    async (_name, params) => {
      const reply = await ask('add', params)
      expect(reply).toMatchObject({ id: 1, error: { code: -32600 } })
    },
  )

  it.each([
    ['__proto__', '{"__proto__":{"polluted":true}}'],
    ['an escaped __proto__', '{"\\u005f_proto__":{"polluted":true}}'],
    ['a nested __proto__', '{"a":{"b":[{"__proto__":{"polluted":true}}]}}'],
    ['constructor.prototype', '{"constructor":{"prototype":{"polluted":true}}}'],
  ])('refuses params with %s with -32602 and pollutes nothing', async (_name, options) => {
    merged.length = 0
    const body = `{"jsonrpc":"2.0","method":"merge","params":[${options}],"id":1}`
    const { reply } = await call(body)
    expect(code(reply)).toBe(-32602)
    expect(merged).toEqual([])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    const named = `{"jsonrpc":"2.0","method":"merge","params":${options},"id":1}`
    expect(code((await call(named)).reply)).toBe(-32602)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('still takes a plain "constructor" key', async () => {
    expect((await ask('echo', [{ constructor: 1 }])).result).toEqual({ constructor: 1 })
  })
})
