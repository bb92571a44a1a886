/** The protocol rules beyond the spec's examples: envelopes, ids, params, limits, errors. */
import { describe, expect, it } from 'vitest'

import { BadRequest, Http401, type WsgiRequest } from 'pulsar-ts'
import { InvalidParams, JsonRpc, RpcError } from 'pulsar-ts/rpc'

import { capturingLogger } from '../helpers/logger.js'
import { injectRpc } from '../helpers/rpc.js'

const merged: Record<string, unknown>[] = []

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

class Service extends JsonRpc {
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

const service = new Service()

async function call(body: unknown, rpc: JsonRpc = service) {
  const res = await injectRpc(rpc, typeof body === 'string' ? body : JSON.stringify(body))
  return { status: res.status, reply: res.body.length ? res.json() : undefined }
}

const code = (reply: unknown) => (reply as { error?: { code: number } }).error?.code

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
    'rpc.discover',
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
  ])('answers params that are %s with -32602', async (_name, params) => {
    expect((await ask('add', params)).error?.code).toBe(-32602)
  })

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

describe('limits', () => {
  it('answers a message nested deeper than maxDepth with -32600, fast', async () => {
    for (const depth of [100, 10_000, 100_000, 1_000_000]) {
      const started = Date.now()
      const { status, reply } = await call('['.repeat(depth) + ']'.repeat(depth))
      expect(status).toBe(200)
      expect(reply).toMatchObject({ id: null, error: { code: -32600 } })
      expect(Date.now() - started).toBeLessThan(1000)
    }
    const params = '['.repeat(10_000) + ']'.repeat(10_000)
    const { reply } = await call(`{"jsonrpc":"2.0","method":"echo","params":[${params}],"id":1}`)
    expect(reply).toMatchObject({ error: { code: -32600 } })
  })

  it('takes nesting up to maxDepth, and brackets inside strings do not count', async () => {
    const rpc = new Service({ maxDepth: 10 })
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)
    // the call object is one level, params one more: 8 levels of value fit in 10
    const fits = `{"jsonrpc":"2.0","method":"echo","params":[${nested(8)}],"id":1}`
    expect((await call(fits, rpc)).reply).toMatchObject({ result: JSON.parse(nested(8)) })
    const over = `{"jsonrpc":"2.0","method":"echo","params":[${nested(9)}],"id":1}`
    expect(code((await call(over, rpc)).reply)).toBe(-32600)
    const text = '[[[[[[[[[[[[{{{{{{{{{"\\"]]]]'
    expect(
      (await call({ jsonrpc: '2.0', method: 'echo', params: [text], id: 1 }, rpc)).reply,
    ).toEqual({ jsonrpc: '2.0', id: 1, result: text })
  })

  it('answers a batch longer than maxBatch with one -32600', async () => {
    const item = (id: number) => ({ jsonrpc: '2.0', method: 'add', params: [id, 1], id })
    const atLimit = await call(Array.from({ length: 100 }, (_, i) => item(i)))
    expect(atLimit.reply).toHaveLength(100)
    const over = await call(Array.from({ length: 101 }, (_, i) => item(i)))
    expect(over.reply).toMatchObject({ id: null, error: { code: -32600 } })
    const huge = await call(Array.from({ length: 100_000 }, (_, i) => item(i)))
    expect(huge.reply).toMatchObject({ id: null, error: { code: -32600 } })
    const small = new Service({ maxBatch: 2 })
    expect(code((await call([item(1), item(2), item(3)], small)).reply)).toBe(-32600)
  })

  it('refuses limits that make no sense', () => {
    expect(() => new JsonRpc({ maxBatch: 0 })).toThrow(RangeError)
    expect(() => new JsonRpc({ maxDepth: 1 })).toThrow(RangeError)
  })
})

describe('errors', () => {
  it('answers a plain Error with -32603 and a generic message; the log gets the details', async () => {
    const log = capturingLogger()
    for (const method of ['fail', 'reject']) {
      const res = await injectRpc(service, JSON.stringify({ jsonrpc: '2.0', method, id: 1 }), {
        logger: log.logger,
      })
      expect(res.status).toBe(200)
      expect(res.json()).toEqual({
        jsonrpc: '2.0',
        id: 1,
        error: { code: -32603, message: 'Internal error' },
      })
      expect(res.text).not.toMatch(/hunter2|secret|at /)
    }
    const errors = log.errors()
    expect(errors).toHaveLength(2)
    expect(errors[0]!.err?.message).toBe('db password is hunter2')
    expect(errors[0]!.err?.stack).toContain('rpc_fail')
    expect(errors[0]!.msg).toContain('fail')
  })

  it('adds the message and stack to -32603 in debug mode', async () => {
    const res = await injectRpc(service, '{"jsonrpc":"2.0","method":"fail","id":1}', {
      debug: true,
      logger: capturingLogger().logger,
    })
    expect(res.json()).toMatchObject({
      error: { code: -32603, data: { message: 'db password is hunter2' } },
    })
  })

  it('sends the code, message and data of an RpcError', async () => {
    expect((await call({ jsonrpc: '2.0', method: 'custom', id: 1 })).reply).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32001, message: 'Quota exceeded', data: { limit: 10 } },
    })
  })

  it('logs a failing notification and answers nothing', async () => {
    const log = capturingLogger()
    const res = await injectRpc(service, '{"jsonrpc":"2.0","method":"fail"}', {
      logger: log.logger,
    })
    expect(res.status).toBe(204)
    expect(res.body.length).toBe(0)
    expect(log.errors()).toHaveLength(1)
  })

  it('keeps the HTTP status and headers of an HttpException in a single call', async () => {
    const res = await injectRpc(service, '{"jsonrpc":"2.0","method":"unauthorized","id":1}')
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="rpc"')
    expect(res.json()).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32000, message: 'Who are you?', data: { status: 401 } },
    })
  })

  it('answers a batch with an HttpException inside with 200', async () => {
    const res = await injectRpc(
      service,
      '[{"jsonrpc":"2.0","method":"bad","id":1},{"jsonrpc":"2.0","method":"add","params":[1,2],"id":2}]',
    )
    expect(res.status).toBe(200)
    expect(res.json()).toEqual([
      {
        jsonrpc: '2.0',
        id: 1,
        error: { code: -32000, message: 'Not like that', data: { status: 400 } },
      },
      { jsonrpc: '2.0', id: 2, result: 3 },
    ])
  })

  it('answers a result JSON cannot carry with -32603, the rest of the batch intact', async () => {
    const log = capturingLogger()
    const res = await injectRpc(
      service,
      '[{"jsonrpc":"2.0","method":"bigint","id":1},{"jsonrpc":"2.0","method":"deep","id":2},{"jsonrpc":"2.0","method":"add","params":[1,2],"id":3}]',
      { logger: log.logger },
    )
    expect(res.json()).toEqual([
      { jsonrpc: '2.0', id: 1, error: { code: -32603, message: 'Internal error' } },
      { jsonrpc: '2.0', id: 2, error: { code: -32603, message: 'Internal error' } },
      { jsonrpc: '2.0', id: 3, result: 3 },
    ])
    expect(log.errors()).toHaveLength(2)
  })

  it('is an InvalidParams an application can throw with its own message', async () => {
    const rpc = new JsonRpc({
      methods: {
        positive: (_request, n: number) => {
          if (!(n > 0)) throw new InvalidParams('n must be positive', { n })
          return n
        },
      },
    })
    expect(
      (await call({ jsonrpc: '2.0', method: 'positive', params: [-1], id: 1 }, rpc)).reply,
    ).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: -32602, message: 'n must be positive', data: { n: -1 } },
    })
  })
})

describe('batches', () => {
  it('runs the calls of a batch concurrently', async () => {
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    const rpc = new JsonRpc({
      methods: {
        wait: async (_request) => {
          await released
          return 'waited'
        },
        release: (_request) => {
          release()
          return 'released'
        },
      },
    })
    const { reply } = await call(
      [
        { jsonrpc: '2.0', method: 'wait', id: 1 },
        { jsonrpc: '2.0', method: 'release', id: 2 },
      ],
      rpc,
    )
    expect(reply).toEqual([
      { jsonrpc: '2.0', id: 1, result: 'waited' },
      { jsonrpc: '2.0', id: 2, result: 'released' },
    ])
  })
})
