/** The opening handshake over real sockets: the 101, every refusal, and middleware before and after it. */
import { describe, expect, it } from 'vitest'

import {
  type Environ,
  Http401,
  type StartResponse,
  WsgiHandler,
  type WsgiResponse,
} from 'pulsar-ts'
import { inject } from 'pulsar-ts/testing'
import { WS, WebSocket, type WebSocketOptions, type WebSocketProtocol } from 'pulsar-ts/websocket'

import { serve } from '../helpers/listen.js'
import { RawClient, parseResponse, rawExchange, rawUntil } from '../helpers/raw.js'
import { TestClient, eventually, handshakeRequest } from '../helpers/ws.js'

class Echo extends WS {
  override onMessage(ws: WebSocketProtocol, text: string) {
    return ws.write(text)
  }
}

const echo = (options?: WebSocketOptions) => new WebSocket('/echo', new Echo(), options)
const wsUrl = (url: string, path: string) => url.replace(/^http/, 'ws') + path
const head = (received: string) => received.includes('\r\n\r\n')

describe('the 101', () => {
  it('answers the RFC 6455 sample key with its accept value', async () => {
    const { port } = await serve(new WsgiHandler([echo()]))
    const received = await rawUntil(port, handshakeRequest('/echo'), head)
    const { status, headers } = parseResponse(received)
    expect(status).toBe(101)
    expect(headers['sec-websocket-accept']).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=')
    expect(headers.upgrade).toBe('websocket')
    expect(headers.connection).toBe('Upgrade')
    expect(headers.server).toMatch(/^pulsar-ts/)
    expect(headers.date).toBeDefined()
  })

  it('opens a socket for a ws client and fills urlargs from the rule', async () => {
    const seen: unknown[] = []
    const route = new WebSocket('/rooms/<int:room>/<name>', {
      onOpen: (ws: WebSocketProtocol) => void seen.push(ws.urlargs, ws.handshake.path),
    })
    const { url } = await serve(new WsgiHandler([route]))
    await TestClient.connect(wsUrl(url, '/rooms/7/blue'))
    await eventually(() => seen.length > 0)
    expect(seen).toEqual([{ room: 7, name: 'blue' }, '/rooms/7/blue'])
    expect(route.path({ room: 3, name: 'x' })).toBe('/rooms/3/x')
  })

  it('ignores a trailing slash', async () => {
    const { url } = await serve(new WsgiHandler([echo()]))
    const client = await TestClient.connect(wsUrl(url, '/echo/'))
    expect(await client.ask('hi')).toBe('hi')
  })
})

describe('handshakes refused before the 101', () => {
  const refusals: [string, string, number, Record<string, string>?][] = [
    ['a POST', handshakeRequest('/echo', {}, 'POST'), 405, { allow: 'GET' }],
    ['a HEAD', handshakeRequest('/echo', {}, 'HEAD'), 405],
    ['no Sec-WebSocket-Key', handshakeRequest('/echo', { 'Sec-WebSocket-Key': undefined }), 400],
    ['a short key', handshakeRequest('/echo', { 'Sec-WebSocket-Key': 'c2hvcnQ=' }), 400],
    [
      'a key that is not base64',
      handshakeRequest('/echo', { 'Sec-WebSocket-Key': '!'.repeat(22) + '==' }),
      400,
    ],
    [
      'version 99',
      handshakeRequest('/echo', { 'Sec-WebSocket-Version': '99' }),
      400,
      { 'sec-websocket-version': '13' },
    ],
    [
      'no version',
      handshakeRequest('/echo', { 'Sec-WebSocket-Version': undefined }),
      400,
      { 'sec-websocket-version': '13' },
    ],
    ['Upgrade: foo', handshakeRequest('/echo', { Upgrade: 'foo' }), 400],
    [
      'a malformed subprotocol list',
      handshakeRequest('/echo', { 'Sec-WebSocket-Protocol': 'a,,b' }),
      400,
    ],
    ['HTTP/1.0', handshakeRequest('/echo').replace('HTTP/1.1', 'HTTP/1.0'), 400],
    ['an unknown path', handshakeRequest('/nowhere'), 404],
    ['a value the rule does not convert', handshakeRequest('/rooms/abc'), 404],
  ]

  for (const [what, request, status, headers] of refusals)
    it(`answers ${what} with ${status} and closes the socket`, async () => {
      const route = new WebSocket('/rooms/<int:room>', new Echo())
      const { port } = await serve(new WsgiHandler([echo(), route]))
      // rawExchange returns once the server closed the connection: no socket is left open
      const received = await rawExchange(port, request)
      const response = parseResponse(received)
      expect(response.status).toBe(status)
      expect(response.headers.connection).toBe('close')
      for (const [name, value] of Object.entries(headers ?? {}))
        expect(response.headers[name]).toBe(value)
    })

  it('answers a plain GET (no upgrade headers) with 400 and a message', async () => {
    const { url } = await serve(new WsgiHandler([echo()]))
    const response = await fetch(`${url}/echo`)
    expect(response.status).toBe(400)
    expect(await response.text()).toContain('WebSocket endpoint')
  })

  it('lets authentication middleware refuse before the 101, and see the request through', async () => {
    const auth = (environ: Environ) => {
      if (environ.HTTP_AUTHORIZATION !== 'Bearer good') throw new Http401('Bearer')
      environ.user = 'alice'
      return undefined
    }
    const users: unknown[] = []
    const route = new WebSocket('/echo', {
      onOpen: (ws: WebSocketProtocol) => void users.push(ws.handshake.environ.user),
    })
    const { url, port } = await serve(new WsgiHandler([auth, route]))
    const refused = parseResponse(await rawExchange(port, handshakeRequest('/echo')))
    expect(refused.status).toBe(401)
    expect(refused.headers['www-authenticate']).toBe('Bearer')
    await expect(TestClient.connect(wsUrl(url, '/echo'))).rejects.toThrow('401')
    await TestClient.connect(wsUrl(url, '/echo'), [], { headers: { Authorization: 'Bearer good' } })
    await eventually(() => users.length > 0)
    expect(users).toEqual(['alice'])
  })

  it('sends headers response middleware add with the 101', async () => {
    const cookie = (_environ: Environ, response: WsgiResponse) => {
      response.setCookie('session', 'abc')
      response.headers.set('X-Handshake', 'yes')
      response.headers.set('Content-Length', '99') // never on a 101
      return undefined
    }
    const { port } = await serve(new WsgiHandler([echo()], [cookie]))
    const received = await rawUntil(port, handshakeRequest('/echo'), head)
    const { status, headers } = parseResponse(received)
    expect(status).toBe(101)
    expect(headers['set-cookie']).toMatch(/^session=abc/)
    expect(headers['x-handshake']).toBe('yes')
    expect(headers['content-length']).toBeUndefined()
  })

  it('sends Server with the 101, and none when server_software is empty', async () => {
    for (const software of ['pulsar-ts/test', '']) {
      const { port } = await serve(new WsgiHandler([echo()]), { server_software: software })
      const { status, headers } = parseResponse(
        await rawUntil(port, handshakeRequest('/echo'), head),
      )
      expect([status, headers.server]).toEqual([101, software || undefined])
    }
  })

  it('sends the answer of a response middleware that replaces the 101', async () => {
    const refuse = (_environ: Environ, response: WsgiResponse) => {
      response.statusCode = 403
      return undefined
    }
    const { port } = await serve(new WsgiHandler([echo()], [refuse]))
    expect(parseResponse(await rawExchange(port, handshakeRequest('/echo'))).status).toBe(403)
  })

  it('refuses a new handshake with 503 while the server shuts down', async () => {
    const ok = (_environ: Environ, startResponse: StartResponse) => {
      startResponse('200 OK', [])
      return ['ok']
    }
    const { server, port } = await serve(new WsgiHandler([echo(), ok]), {
      graceful_timeout: 2,
    })
    const client = await RawClient.connect(port)
    client.send('GET / HTTP/1.1\r\nHost: t\r\n\r\n')
    await client.until((received) => received.endsWith('ok'))
    const closed = server.close()
    client.send(handshakeRequest('/echo'))
    const received = await client.untilClosed()
    expect(parseResponse(received.slice(received.indexOf('ok') + 2)).status).toBe(503)
    client.close()
    await closed
  })
})

describe('origins', () => {
  const allowed = { origin: ['https://app.example', /^https:\/\/[a-z]+\.example\.org$/] }

  it('refuses an origin the options do not allow with 403', async () => {
    const { port } = await serve(new WsgiHandler([echo(allowed)]))
    const request = handshakeRequest('/echo', { Origin: 'https://evil.example' })
    const response = parseResponse(await rawExchange(port, request))
    expect(response.status).toBe(403)
  })

  it('accepts a listed origin, a matching one, and a client without Origin', async () => {
    const { url } = await serve(new WsgiHandler([echo(allowed)]))
    for (const origin of ['https://app.example', 'https://a.example.org', undefined]) {
      const client = await TestClient.connect(wsUrl(url, '/echo'), [], origin ? { origin } : {})
      expect(await client.ask('x')).toBe('x')
    }
  })

  it('takes one origin as a string, and any with *', async () => {
    const { port } = await serve(
      new WsgiHandler([
        echo({ origin: 'https://app.example' }),
        new WebSocket('/any', new Echo(), { origin: '*' }),
      ]),
    )
    const from = (path: string, origin: string) =>
      rawUntil(port, handshakeRequest(path, { Origin: origin }), head).then(
        (r) => parseResponse(r).status,
      )
    expect(await from('/echo', 'https://app.example')).toBe(101)
    expect(await from('/echo', 'https://app.example.evil')).toBe(403)
    expect(await from('/any', 'https://anywhere.example')).toBe(101)
  })

  it('asks an asynchronous function', async () => {
    const origin = (value: string) => Promise.resolve(value.endsWith('.good'))
    const { url, port } = await serve(new WsgiHandler([echo({ origin })]))
    await TestClient.connect(wsUrl(url, '/echo'), [], { origin: 'https://a.good' })
    const request = handshakeRequest('/echo', { Origin: 'https://a.bad' })
    expect(parseResponse(await rawExchange(port, request)).status).toBe(403)
  })
})

describe('subprotocols', () => {
  it('selects the route’s preferred protocol among the client’s', async () => {
    const { url } = await serve(new WsgiHandler([echo({ protocols: ['v2.chat', 'v1.chat'] })]))
    const client = await TestClient.connect(wsUrl(url, '/echo'), ['v1.chat', 'v2.chat'])
    expect(client.socket.protocol).toBe('v2.chat')
  })

  it('lets a function choose, and the socket knows the choice', async () => {
    const protocols: string[] = []
    const route = new WebSocket(
      '/echo',
      { onOpen: (ws: WebSocketProtocol) => void protocols.push(ws.protocol) },
      { protocols: (offered) => offered.at(-1) },
    )
    const { url } = await serve(new WsgiHandler([route]))
    const client = await TestClient.connect(wsUrl(url, '/echo'), ['a', 'b'])
    expect(client.socket.protocol).toBe('b')
    await eventually(() => protocols.length > 0)
    expect(protocols).toEqual(['b'])
  })

  it('sends no subprotocol when the client offers none the route speaks', async () => {
    const { port } = await serve(new WsgiHandler([echo({ protocols: ['graphql-ws'] })]))
    const request = handshakeRequest('/echo', { 'Sec-WebSocket-Protocol': 'mqtt' })
    const { status, headers } = parseResponse(await rawUntil(port, request, head))
    expect(status).toBe(101)
    expect(headers['sec-websocket-protocol']).toBeUndefined()
  })
})

describe('in process (inject)', () => {
  it('answers the refusals, and 404 for a handshake with no connection to upgrade', async () => {
    const app = new WsgiHandler([echo()])
    const headers = {
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version': '13',
    }
    expect((await inject(app, { path: '/echo', method: 'POST' })).status).toBe(405)
    expect((await inject(app, { path: '/echo' })).status).toBe(400)
    const valid = await inject(app, { path: '/echo', headers })
    expect(valid.status).toBe(404)
    expect(valid.text).toContain('No connection to upgrade')
  })

  it('checks its options when it is built', () => {
    expect(() => echo({ maxPayload: 0 })).toThrow(/maxPayload/)
    expect(() => echo({ protocols: ['bad protocol'] })).toThrow(/subprotocol/)
    expect(() => echo({ heartbeat: -1 })).toThrow(/heartbeat/)
    expect(() => echo({ highWaterMark: 10, maxBufferedAmount: 5 })).toThrow(/maxBufferedAmount/)
    expect(() => echo({ perMessageDeflate: { serverMaxWindowBits: 20 } })).toThrow(/WindowBits/)
    expect(() => new WebSocket('/<bad', new Echo())).toThrow(/rule/i)
  })
})
