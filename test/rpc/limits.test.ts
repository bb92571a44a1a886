/** The limits on messages (nesting depth, batch size) and how batches run. */
import { describe, expect, it } from 'vitest'

import { JsonRpc } from 'pulsar-ts/rpc'

import { Service, call, code } from './service.js'

describe('limits', () => {
  it('answers a message nested deeper than maxDepth with -32600', async () => {
    // a scan slower than linear would not answer a million levels before the test's timeout
    for (const depth of [100, 10_000, 100_000, 1_000_000]) {
      const { status, reply } = await call('['.repeat(depth) + ']'.repeat(depth))
      expect(status).toBe(200)
      expect(reply).toMatchObject({ id: null, error: { code: -32600 } })
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
