/** AccessControl (CORS): origins, credentials, exposed headers, preflight, Vary; in process and with fetch. */
import { describe, expect, it } from 'vitest'

import {
  AccessControl,
  type AccessControlOptions,
  type AllowedOrigins,
  type Environ,
  WsgiHandler,
  WsgiResponse,
} from 'pulsar-ts'
import { type TestRequest, inject } from 'pulsar-ts/testing'

import { transports } from '../helpers/transports.js'

const APP = 'https://app.example'

/** A handler with CORS in front of an app that answers every GET and POST, and nothing else. */
function site(options?: AccessControlOptions): WsgiHandler {
  const cors = new AccessControl(options)
  const app = (environ: Environ) =>
    ['GET', 'POST'].includes(environ.REQUEST_METHOD)
      ? new WsgiResponse(200, 'data', { 'X-Total': '3' })
      : new WsgiResponse(405, undefined, { Allow: 'GET, POST' })
  return new WsgiHandler([cors.preflight, app], [cors])
}

function preflight(origin: string, headers: Record<string, string> = {}): TestRequest {
  return {
    method: 'OPTIONS',
    path: '/items',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT', ...headers },
  }
}

describe('AccessControl on actual requests', () => {
  it("allows every origin with '*' (the default), without Vary", async () => {
    const res = await inject(site(), { headers: { Origin: APP } })
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.has('access-control-allow-credentials')).toBe(false)
    expect(res.headers.has('vary')).toBe(false)
    const noOrigin = await inject(site(), '/')
    expect(noOrigin.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('answers one fixed origin to everyone, whatever the Origin', async () => {
    const res = await inject(site({ origin: APP }), { headers: { Origin: 'https://evil.test' } })
    expect(res.headers.get('access-control-allow-origin')).toBe(APP)
    expect(res.headers.has('vary')).toBe(false)
  })

  it.each<[string, AllowedOrigins]>([
    ['a list', ['https://other.example', APP]],
    ['a RegExp', /^https:\/\/[a-z]+\.example$/g],
    ['a list with a RegExp', ['https://other.example', /^https:\/\/app\./]],
    ['a function', (origin) => origin.endsWith('app.example')],
    ['an async function', async (origin) => origin === APP],
  ])('checks the origin against %s, with Vary: Origin', async (_name, origin) => {
    const handler = site({ origin, credentials: true, exposedHeaders: ['X-Total'] })
    // twice: a global RegExp must not remember the previous match
    for (let i = 0; i < 2; i++) {
      const allowed = await inject(handler, { headers: { Origin: APP } })
      expect(allowed.headers.get('access-control-allow-origin')).toBe(APP)
      expect(allowed.headers.get('access-control-allow-credentials')).toBe('true')
      expect(allowed.headers.get('access-control-expose-headers')).toBe('X-Total')
      expect(allowed.headers.get('vary')).toBe('Origin')
    }
    const refused = await inject(handler, { headers: { Origin: 'https://evil.test' } })
    expect(refused.status).toBe(200)
    expect(refused.headers.has('access-control-allow-origin')).toBe(false)
    expect(refused.headers.has('access-control-allow-credentials')).toBe(false)
    expect(refused.headers.get('vary')).toBe('Origin')
    // a cached answer without Origin must not serve a cross-origin request either
    const none = await inject(handler, '/')
    expect(none.headers.get('vary')).toBe('Origin')
  })

  it('leaves CORS headers the application set alone', async () => {
    const cors = new AccessControl({ origin: [APP], credentials: true })
    const handler = new WsgiHandler(
      [() => new WsgiResponse(200, 'x', { 'Access-Control-Allow-Origin': 'https://mine.example' })],
      [cors],
    )
    const res = await inject(handler, { headers: { Origin: APP } })
    expect(res.headers.getAll('access-control-allow-origin')).toEqual(['https://mine.example'])
    expect(res.headers.has('access-control-allow-credentials')).toBe(false)
  })

  it('reaches error responses, so browsers can read them', async () => {
    const cors = new AccessControl({ origin: [APP] })
    const res = await inject(new WsgiHandler([], [cors]), { headers: { Origin: APP } })
    expect(res.status).toBe(404)
    expect(res.headers.get('access-control-allow-origin')).toBe(APP)
  })

  it('refuses bad options when built', () => {
    expect(() => new AccessControl({ credentials: true })).toThrow(/credentials/)
    expect(() => new AccessControl({ origin: '*', credentials: true })).toThrow(TypeError)
    expect(() => new AccessControl({ maxAge: -5 })).toThrow(/maxAge/)
    expect(() => new AccessControl({ preflightStatus: 201 as 204 })).toThrow(/preflightStatus/)
    expect(() => new AccessControl({ methods: ['GET\n'] })).toThrow(TypeError)
  })
})

describe('AccessControl preflight', () => {
  it('answers before the application, with the methods and the requested headers', async () => {
    const res = await inject(
      site({ origin: [APP], maxAge: 600 }),
      preflight(APP, { 'Access-Control-Request-Headers': 'content-type, x-token' }),
    )
    expect(res.status).toBe(204)
    expect(res.body.length).toBe(0)
    expect(res.headers.get('access-control-allow-origin')).toBe(APP)
    expect(res.headers.get('access-control-allow-methods')).toBe(
      'GET, HEAD, PUT, PATCH, POST, DELETE',
    )
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type, x-token')
    expect(res.headers.get('access-control-max-age')).toBe('600')
    expect(res.headers.has('access-control-allow-credentials')).toBe(false)
    expect(res.headers.get('vary')).toBe('Origin, Access-Control-Request-Headers')
  })

  it('gives the configured methods and headers, credentials, and status 200 if asked', async () => {
    const handler = site({
      origin: async (origin) => origin === APP,
      methods: ['GET', 'PUT'],
      allowedHeaders: ['Content-Type'],
      credentials: true,
      preflightStatus: 200,
    })
    const res = await inject(
      handler,
      preflight(APP, { 'Access-Control-Request-Headers': 'x-other' }),
    )
    expect(res.status).toBe(200)
    expect(res.headers.get('content-length')).toBe('0')
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, PUT')
    expect(res.headers.get('access-control-allow-headers')).toBe('Content-Type')
    expect(res.headers.get('access-control-allow-credentials')).toBe('true')
    expect(res.headers.get('vary')).toBe('Origin')
  })

  it('grants nothing to an origin not allowed', async () => {
    const res = await inject(site({ origin: [APP] }), preflight('https://evil.test'))
    expect(res.status).toBe(204)
    expect([...res.headers].filter(([name]) => /^access-control/i.test(name))).toEqual([])
    expect(res.headers.get('vary')).toBe('Origin')
  })

  it('lets an OPTIONS that is not a preflight through to the application', async () => {
    const noMethod = await inject(site(), { method: 'OPTIONS', headers: { Origin: APP } })
    expect(noMethod.status).toBe(405)
    const noOrigin = await inject(site(), {
      method: 'OPTIONS',
      headers: { 'Access-Control-Request-Method': 'PUT' },
    })
    expect(noOrigin.status).toBe(405)
  })
})

describe.each(transports)('CORS over a socket, $name', (t) => {
  it('is checked end to end: preflight, then the actual request, over a socket', async () => {
    const { url } = await t.serve(site({ origin: [APP], credentials: true, maxAge: 60 }))
    const pre = await t.fetch(new URL('/items', url), {
      method: 'OPTIONS',
      headers: {
        Origin: APP,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe(APP)
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST')
    expect(pre.headers.get('access-control-allow-headers')).toBe('content-type')
    expect(pre.headers.get('access-control-allow-credentials')).toBe('true')
    expect(pre.headers.get('access-control-max-age')).toBe('60')
    expect(pre.headers.get('vary')).toBe('Origin, Access-Control-Request-Headers')
    expect(await pre.text()).toBe('')
    const actual = await t.fetch(new URL('/items', url), {
      method: 'POST',
      headers: { Origin: APP, 'Content-Type': 'application/json' },
      body: '{}',
    })
    expect(actual.status).toBe(200)
    expect(actual.headers.get('access-control-allow-origin')).toBe(APP)
    expect(actual.headers.get('vary')).toBe('Origin')
    expect(await actual.text()).toBe('data')
    const evil = await t.fetch(new URL('/items', url), {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.test', 'Access-Control-Request-Method': 'POST' },
    })
    expect(evil.status).toBe(204)
    expect(evil.headers.has('access-control-allow-origin')).toBe(false)
  })
})
