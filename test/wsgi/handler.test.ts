/**
 * WsgiHandler's rules (first answer wins, 404 when none, response
 * middleware on unstarted WsgiResponses only, errors become responses) and
 * LazyWsgi's (one setup per process, shared by concurrent first requests,
 * retried after a failure).
 */
import { describe, expect, it } from 'vitest'

import {
  AbortWsgi,
  type Environ,
  HttpException,
  LazyWsgi,
  type Middleware,
  PermissionDenied,
  type StartResponse,
  WsgiHandler,
  WsgiResponse,
} from 'pulsar-ts'
import { inject } from 'pulsar-ts/testing'

import { capturingLogger } from '../helpers/logger.js'
import { serve } from '../helpers/listen.js'
import { RawClient } from '../helpers/raw.js'
import { eventually } from '../helpers/wait.js'

const text = (content: string) => () => new WsgiResponse(200, content)
const pass: Middleware = () => undefined

describe('WsgiHandler', () => {
  it('answers with the first middleware that returns something, in order', async () => {
    const calls: string[] = []
    const handler = new WsgiHandler([
      () => void calls.push('a'),
      () => {
        calls.push('b')
        return new WsgiResponse(200, 'from b')
      },
      () => {
        calls.push('c')
        return new WsgiResponse(200, 'from c')
      },
    ])
    const res = await inject(handler)
    expect(res.text).toBe('from b')
    expect(calls).toEqual(['a', 'b'])
  })

  it('treats null like undefined and awaits asynchronous middleware', async () => {
    const handler = new WsgiHandler([
      () => null as unknown as undefined,
      async () => undefined,
      async () => new WsgiResponse(201, 'async'),
    ])
    const res = await inject(handler)
    expect(res.status).toBe(201)
    expect(res.text).toBe('async')
  })

  it('answers 404 when no middleware answers, calling start_response once', async () => {
    let calls = 0
    const handler = new WsgiHandler([pass])
    const res = await inject((environ: Environ, startResponse: StartResponse) =>
      handler.handle(environ, (...args) => {
        calls++
        return startResponse(...args)
      }),
    )
    expect(res.status).toBe(404)
    expect(calls).toBe(1)
  })

  it('answers synchronously when every middleware is synchronous', () => {
    const handler = new WsgiHandler([pass, text('sync')])
    const environ = { REQUEST_METHOD: 'GET' } as Environ
    const body = handler.handle(environ, () => () => Promise.resolve())
    expect(body).toBeInstanceOf(WsgiResponse)
  })

  it('runs response middleware in order; each may replace the response', async () => {
    const order: string[] = []
    const handler = new WsgiHandler(
      [text('original')],
      [
        (_environ, response) => {
          order.push('first')
          response.headers.set('X-First', '1')
          return undefined
        },
        async (_environ, response) => {
          order.push('second')
          return new WsgiResponse(202, `replaced ${response.headers.get('X-First')}`)
        },
        { handle: (_environ, response) => void order.push(`third ${response.statusCode}`) },
      ],
    )
    const res = await inject(handler)
    expect(order).toEqual(['first', 'second', 'third 202'])
    expect(res.status).toBe(202)
    expect(res.text).toBe('replaced 1')
  })

  it('skips response middleware for plain bodies and responses already started', async () => {
    let ran = 0
    const count = () => void ran++
    const raw = new WsgiHandler(
      [
        (_environ, startResponse) => {
          startResponse('200 OK', [])
          return ['raw']
        },
      ],
      [count],
    )
    expect((await inject(raw)).text).toBe('raw')
    const started = new WsgiHandler(
      [(environ, startResponse) => new WsgiResponse(200, 'x').start(environ, startResponse)],
      [count],
    )
    expect((await inject(started)).text).toBe('x')
    expect(ran).toBe(0)
  })

  it('turns errors into error responses that response middleware still sees', async () => {
    const seen: number[] = []
    const mark = (_environ: Environ, response: WsgiResponse) => {
      seen.push(response.statusCode)
      response.headers.set('X-Seen', 'yes')
      return undefined
    }
    const sync = new WsgiHandler(
      [
        () => {
          throw new PermissionDenied('nope')
        },
      ],
      [mark],
    )
    const res = await inject(sync)
    expect(res.status).toBe(403)
    expect(res.headers.get('X-Seen')).toBe('yes')
    expect(res.text).toBe('nope\n')

    const async = new WsgiHandler(
      [async () => Promise.reject(new HttpException('teapot', 418))],
      [mark],
    )
    expect((await inject(async)).status).toBe(418)

    const log = capturingLogger()
    const failing = new WsgiHandler(
      [text('ok')],
      [
        () => {
          throw new Error('middleware bug')
        },
      ],
    )
    const broken = await inject(failing, { logger: log.logger })
    expect(broken.status).toBe(500)
    expect(log.errors()).toHaveLength(1)
    expect(seen).toEqual([403, 418])
  })

  it('hands an AbortWsgi on to the server, which closes the connection with no page and no error logged', async () => {
    const abort = () => {
      throw new AbortWsgi()
    }
    const handlers = {
      '/sync': new WsgiHandler([abort]),
      '/async': new WsgiHandler([async () => Promise.reject(new AbortWsgi())]),
      '/response': new WsgiHandler([text('ok')], [abort]),
      '/nested': new WsgiHandler([new WsgiHandler([abort])], [() => undefined]),
    }
    const { port, log } = await serve((environ: Environ, startResponse: StartResponse) =>
      handlers[environ.PATH_INFO as keyof typeof handlers].handle(environ, startResponse),
    )
    for (const path of Object.keys(handlers)) {
      const client = await RawClient.connect(port)
      client.send(`GET ${path} HTTP/1.1\r\nHost: a\r\n\r\n`)
      expect(await client.untilClosed(), path).toBe('')
    }
    expect(log.records.filter((r) => r.msg.startsWith('Response abandoned'))).toHaveLength(4)
    expect(log.errors()).toEqual([])
  })

  it('logs no error when the client goes away while a handler reads its body', async () => {
    let reading = () => {}
    const started = new Promise<void>((resolve) => (reading = resolve))
    const { port, log } = await serve(
      new WsgiHandler([
        async (environ: Environ) => {
          const chunks: Buffer[] = []
          for await (const chunk of environ['wsgi.input']) {
            chunks.push(chunk)
            reading()
          }
          return new WsgiResponse(200, Buffer.concat(chunks))
        },
      ]),
    )
    const client = await RawClient.connect(port)
    client.send('POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\npart of it')
    await started
    client.socket.resetAndDestroy()
    await eventually(
      () => log.records.some((r) => r.msg.startsWith('Response abandoned')),
      10_000,
      'the abandoned response',
    )
    expect(log.errors()).toEqual([])
  })

  it('accepts objects with a handle method as middleware and as the application', async () => {
    class Greeter {
      readonly name: string
      constructor(name: string) {
        this.name = name
      }
      handle() {
        return new WsgiResponse(200, `hello ${this.name}`)
      }
    }
    const outer = new WsgiHandler([new WsgiHandler([pass]), new Greeter('pulsar')])
    expect((await inject(outer)).status).toBe(404)
    expect((await inject(new WsgiHandler([new Greeter('pulsar')]))).text).toBe('hello pulsar')
    expect(() => new WsgiHandler([42 as unknown as Middleware])).toThrow(TypeError)
  })
})

describe('LazyWsgi', () => {
  it('runs setup once, shared by concurrent first requests over real sockets', async () => {
    let setups = 0
    class Site extends LazyWsgi {
      async setup() {
        setups++
        await new Promise((resolve) => setTimeout(resolve, 50))
        return new WsgiHandler([text(`site ${setups}`)])
      }
    }
    const { url } = await serve(new Site())
    const bodies = await Promise.all(
      Array.from({ length: 10 }, () => fetch(url).then((r) => r.text())),
    )
    expect(new Set(bodies)).toEqual(new Set(['site 1']))
    expect(await (await fetch(url)).text()).toBe('site 1')
    expect(setups).toBe(1)
  })

  it('answers 500 when setup fails and tries again on the next request', async () => {
    let attempts = 0
    class Flaky extends LazyWsgi {
      setup() {
        if (++attempts === 1) throw new Error('database down')
        return text('up')
      }
    }
    const site = new Flaky()
    const log = capturingLogger()
    expect((await inject(site, { logger: log.logger })).status).toBe(500)
    expect(log.errors()[0]!.err!.message).toBe('database down')
    expect((await inject(site)).text).toBe('up')
    expect(attempts).toBe(2)
  })
})
