/** JSON-RPC over HTTP: methods, content types, status codes, mounting, limits and cancellation. */
import { describe, expect, it } from 'vitest'

import { type Environ, WsgiHandler, WsgiRequest, WsgiResponse } from 'pulsar-ts'
import { Router } from 'pulsar-ts/router'
import { JsonRpc } from 'pulsar-ts/rpc'
import { inject } from 'pulsar-ts/testing'

import { serve } from '../helpers/listen.js'
import { RawClient, parseResponse } from '../helpers/raw.js'
import { fetchRpc, injectRpc } from '../helpers/rpc.js'
import { eventually } from '../helpers/wait.js'

const ADD = '{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}'

const rpc = new JsonRpc({
  methods: {
    add: (_request, a: number, b: number) => a + b,
    path: (request) => request.path,
  },
})

describe('HTTP rules', () => {
  it.each(['GET', 'PUT', 'DELETE', 'PATCH'])(
    'answers %s with 405 and Allow: POST',
    async (method) => {
      const res = await inject(new WsgiHandler([rpc]), { method, path: '/' })
      expect(res.status).toBe(405)
      expect(res.headers.get('allow')).toBe('POST')
    },
  )

  it.each([
    ['text/plain', 415],
    ['application/x-www-form-urlencoded', 415],
    ['multipart/form-data; boundary=x', 415],
    ['application/json', 200],
    ['application/json; charset=utf-8', 200],
    ['Application/JSON', 200],
    ['application/json-rpc', 200],
    ['application/jsonrequest', 200],
    ['application/vnd.api+json', 200],
  ])('answers a body of type %s with %i', async (type, status) => {
    const res = await inject(new WsgiHandler([rpc]), {
      method: 'POST',
      body: ADD,
      headers: { 'Content-Type': type },
    })
    expect(res.status).toBe(status)
  })

  it('answers a body without a Content-Type with 415', async () => {
    expect((await inject(new WsgiHandler([rpc]), { method: 'POST', body: ADD })).status).toBe(415)
  })

  it('answers 406 to a client that accepts no JSON, and serves */*', async () => {
    const refused = await injectRpc(rpc, ADD, { headers: { Accept: 'text/html' } })
    expect(refused.status).toBe(406)
    const any = await injectRpc(rpc, ADD, { headers: { Accept: '*/*' } })
    expect(any.json()).toEqual({ jsonrpc: '2.0', id: 1, result: 3 })
  })

  it('answers a notification with 204, no body and no Content-Type', async () => {
    const res = await injectRpc(rpc, '{"jsonrpc":"2.0","method":"add","params":[1,2]}')
    expect(res.status).toBe(204)
    expect(res.body.length).toBe(0)
    expect(res.headers.get('content-type')).toBeUndefined()
  })

  it('answers a body over stream_buffer with 413', async () => {
    const res = await injectRpc(rpc, `[${ADD},${ADD},${ADD}]`, { stream_buffer: 100 })
    expect(res.status).toBe(413)
  })
})

describe('mounting', () => {
  it('is middleware on its path, and lets other paths through', async () => {
    const api = new JsonRpc({
      methods: { add: (_request, a: number, b: number) => a + b },
      path: '/rpc',
    })
    const next = () => new WsgiResponse(200, 'next middleware')
    const app = new WsgiHandler([api, next])
    expect((await injectRpc(app, ADD, { path: '/rpc' })).json()).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: 3,
    })
    expect((await injectRpc(app, ADD, { path: '/' })).text).toBe('next middleware')
    expect((await injectRpc(app, ADD, { path: '/rpc/' })).text).toBe('next middleware')
    expect((await injectRpc(new WsgiHandler([api]), ADD, { path: '/' })).status).toBe(404)
  })

  it('is a request handler, as a Router calls it, on whatever path routed to it', async () => {
    // what `new Router('/api/rpc', { post: rpc })` does: a WsgiRequest in, a WsgiResponse out
    const routed = (environ: Environ) =>
      environ.PATH_INFO === '/api/rpc' ? rpc.handle(new WsgiRequest(environ)) : undefined
    const app = new WsgiHandler([routed])
    const res = await injectRpc(app, '{"jsonrpc":"2.0","method":"path","id":1}', {
      path: '/api/rpc',
    })
    expect(res.json()).toEqual({ jsonrpc: '2.0', id: 1, result: '/api/rpc' })
  })

  it('is mounted by a Router as its post handler', async () => {
    const app = new WsgiHandler([new Router('/api/rpc', { post: rpc })])
    const res = await injectRpc(app, '{"jsonrpc":"2.0","method":"path","id":1}', {
      path: '/api/rpc',
    })
    expect(res.json()).toEqual({ jsonrpc: '2.0', id: 1, result: '/api/rpc' })
    const get = await inject(app, { path: '/api/rpc' })
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toContain('POST')
    const { url } = await serve(app)
    expect(await (await fetchRpc(`${url}/api/rpc`, ADD)).json()).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: 3,
    })
  })

  it('answers with a WsgiResponse that response middleware can change', async () => {
    const stamp = (_environ: Environ, response: WsgiResponse) => {
      response.headers.set('X-Stamp', String(response.statusCode))
      return undefined
    }
    const res = await injectRpc(new WsgiHandler([rpc], [stamp]), ADD)
    expect(res.headers.get('x-stamp')).toBe('200')
    expect(res.json()).toEqual({ jsonrpc: '2.0', id: 1, result: 3 })
  })
})

describe('over a socket', () => {
  it('serves fetch, with JSON replies and a Content-Length', async () => {
    const { url } = await serve(new WsgiHandler([rpc]))
    const res = await fetchRpc(url, ADD)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(res.headers.get('content-length')).toBe(
      String(Buffer.byteLength(await res.clone().text())),
    )
    expect(await res.json()).toEqual({ jsonrpc: '2.0', id: 1, result: 3 })
    const wrong = await fetch(url)
    expect([wrong.status, wrong.headers.get('allow')]).toEqual([405, 'POST'])
  })

  it('answers a body that is not UTF-8 with -32700, not with an id it changed', async () => {
    const { url } = await serve(new WsgiHandler([rpc]))
    const call = (id: Buffer) =>
      fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: Buffer.concat([
          Buffer.from('{"jsonrpc":"2.0","method":"add","params":[1,2],"id":"'),
          id,
          Buffer.from('"}'),
        ]),
      }).then((res) => res.json())
    for (const bytes of ['ff', 'c0af', 'eda080', 'f4908080'])
      expect([bytes, await call(Buffer.from(bytes, 'hex'))]).toEqual([
        bytes,
        { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } },
      ])
    // UTF-8 is read as it is, whatever the number of bytes of a character
    expect(await call(Buffer.from('é€😀'))).toEqual({ jsonrpc: '2.0', id: 'é€😀', result: 3 })
  })

  it('reads a chunked body', async () => {
    const { port } = await serve(new WsgiHandler([rpc]))
    const client = await RawClient.connect(port)
    try {
      const half = ADD.length >> 1
      client.send(
        'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n' +
          `${half.toString(16)}\r\n${ADD.slice(0, half)}\r\n` +
          `${(ADD.length - half).toString(16)}\r\n${ADD.slice(half)}\r\n0\r\n\r\n`,
      )
      const received = await client.until((text) => text.includes('"result"'))
      const { status, body } = parseResponse(received)
      expect(status).toBe(200)
      expect(JSON.parse(body)).toEqual({ jsonrpc: '2.0', id: 1, result: 3 })
    } finally {
      client.close()
    }
  })

  it('answers a declared body over stream_buffer with 413 before reading it', async () => {
    const { port } = await serve(new WsgiHandler([rpc]), { stream_buffer: 1024 })
    const client = await RawClient.connect(port)
    try {
      client.send(
        'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n',
      )
      const received = await client.untilClosed()
      expect(parseResponse(received).status).toBe(413)
    } finally {
      client.close()
    }
  })

  it('aborts the signal of in-flight methods when the client goes away', async () => {
    let started!: () => void
    const running = new Promise<void>((resolve) => (started = resolve))
    let aborted!: (reason: unknown) => void
    const abortSeen = new Promise<unknown>((resolve) => (aborted = resolve))
    const slow = new JsonRpc({
      methods: {
        slow: (request) =>
          new Promise((_resolve, reject) => {
            const { signal } = request
            signal.addEventListener('abort', () => {
              aborted(signal.reason)
              reject(signal.reason as Error)
            })
            started()
          }),
      },
    })
    const { port, log } = await serve(new WsgiHandler([slow]))
    const client = await RawClient.connect(port)
    const body =
      '[{"jsonrpc":"2.0","method":"slow","id":1},{"jsonrpc":"2.0","method":"slow","id":2}]'
    client.send(
      `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    )
    await running
    client.close()
    const reason = await abortSeen
    expect((reason as Error).name).toBe('ClientDisconnected')
    // both rejected methods are answered into the void, as a client gone, not as errors
    await eventually(
      () => log.records.filter((r) => r.msg.endsWith('failed: the client went away')).length === 2,
    )
    expect(log.errors()).toEqual([])
  })
})
