/** What methods that fail, or answer what JSON cannot carry, send back; what the log gets. */
import { describe, expect, it } from 'vitest'

import {
  InternalError,
  InvalidParams,
  InvalidRequest,
  JsonRpc,
  NoSuchFunction,
  ParseError,
  RpcError,
} from 'pulsar-ts/rpc'

import { capturingLogger } from '../helpers/logger.js'
import { injectRpc } from '../helpers/rpc.js'
import { call, service } from './service.js'

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

  it('captures no stack for the errors of a client mistake, and one for the rest', () => {
    const limit = Error.stackTraceLimit
    const frames = (error: Error) => error.stack!.split('\n').filter((line) => /^\s+at /.test(line))
    const client = [
      new ParseError(),
      new InvalidRequest(),
      new NoSuchFunction(),
      new InvalidParams(),
    ]
    for (const error of [...client, new RpcError(-32602, 'bad')]) {
      expect(error.stack).toBe(`${error.name}: ${error.message}`)
      expect(frames(error)).toEqual([])
    }
    expect(frames(new InternalError()).length).toBeGreaterThan(0)
    expect(frames(new RpcError(-32001, 'Quota exceeded')).length).toBeGreaterThan(0)
    expect(Error.stackTraceLimit).toBe(limit)
  })
})
