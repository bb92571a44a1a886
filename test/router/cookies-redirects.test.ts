/** Cookies (read, set with every attribute, delete) and redirects, through routes over a real socket. */
import { describe, expect, it } from 'vitest'

import { HttpRedirect, WsgiHandler, WsgiResponse } from 'pulsar-ts'
import { Router } from 'pulsar-ts/router'

import { serve } from '../helpers/listen.js'
import { RawClient, parseResponse } from '../helpers/raw.js'

const site = new WsgiHandler([
  new Router('/cookies', { get: (request) => request.cookies }),
  new Router('/set', {
    get: () =>
      new WsgiResponse(200, 'set')
        .setCookie('plain', 'v1')
        .setCookie('full', 'a b;c', {
          maxAge: 60,
          path: '/app',
          domain: 'example.com',
          secure: true,
          httpOnly: true,
          sameSite: 'Strict',
        })
        .setCookie('dated', 'x', { expires: new Date(Date.UTC(2028, 0, 1, 4, 5, 6)) })
        .setCookie('partitioned', 'p', { partitioned: true, sameSite: 'None' }),
  }),
  new Router('/delete', {
    get: () =>
      new WsgiResponse(200, 'gone').deleteCookie('plain').deleteCookie('full', { path: '/app' }),
  }),
  new Router('/redirect/<int:status>', {
    get: (request) => request.redirect('/cookies', request.urlargs.status),
    post: (request) => request.redirect('/cookies', request.urlargs.status),
  }),
  new Router('/raise', {
    get: () => {
      throw new HttpRedirect('/elsewhere', 307)
    },
  }),
])

describe('cookies', () => {
  it('reads the request cookies', async () => {
    const { url } = await serve(site)
    const response = await fetch(`${url}/cookies`, { headers: { Cookie: 'a=1; b="x%20y"' } })
    expect(await response.json()).toEqual({ a: '1', b: 'x y' })
  })

  it('sets cookies with every attribute', async () => {
    const { url } = await serve(site)
    const cookies = (await fetch(`${url}/set`)).headers.getSetCookie()
    expect(cookies[0]).toBe('plain=v1; Path=/')
    expect(cookies[1]).toMatch(
      /^full=a%20b%3Bc; Max-Age=60; Expires=[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT; Path=\/app; Domain=example\.com; Secure; HttpOnly; SameSite=Strict$/,
    )
    expect(cookies[2]).toBe('dated=x; Expires=Sat, 01 Jan 2028 04:05:06 GMT; Path=/')
    expect(cookies[3]).toBe('partitioned=p; Path=/; Secure; SameSite=None; Partitioned')
  })

  it('deletes cookies with an expiry in the past', async () => {
    const { url } = await serve(site)
    const cookies = (await fetch(`${url}/delete`)).headers.getSetCookie()
    expect(cookies).toHaveLength(2)
    expect(cookies[0]).toMatch(/^plain=; Max-Age=0; Expires=[^;]+; Path=\/$/)
    expect(cookies[1]).toMatch(/^full=; Max-Age=0; Expires=[^;]+; Path=\/app$/)
    const expires = Date.parse(cookies[0]!.match(/Expires=([^;]+)/)![1]!)
    expect(expires).toBeLessThanOrEqual(Date.now())
  })
})

describe('redirects', () => {
  it.each([301, 302, 303, 307, 308])('answers %i with Location and no body', async (status) => {
    const { port } = await serve(site)
    const client = await RawClient.connect(port)
    try {
      client.send(`GET /redirect/${status} HTTP/1.1\r\nHost: x\r\n\r\n`)
      const raw = await client.until((text) => text.includes('\r\n\r\n'))
      const response = parseResponse(raw)
      expect(response.status).toBe(status)
      expect(response.headers.location).toBe('/cookies')
      expect(response.headers['content-length']).toBe('0')
    } finally {
      client.close()
    }
  })

  it('is followed by fetch, with the method each status calls for', async () => {
    const { url } = await serve(site)
    for (const status of [303, 307]) {
      const response = await fetch(`${url}/redirect/${status}`, {
        method: 'POST',
        body: 'x',
        headers: { Cookie: 'k=v' },
      })
      // 303 turns POST into GET; 307 keeps POST, which /cookies does not allow
      expect(response.status).toBe(status === 303 ? 200 : 405)
      expect(response.url).toBe(`${url}/cookies`)
    }
  })

  it('comes from a thrown HttpRedirect too', async () => {
    const { url } = await serve(site)
    const response = await fetch(`${url}/raise`, { redirect: 'manual' })
    expect(response.status).toBe(307)
    expect(response.headers.get('location')).toBe('/elsewhere')
  })
})
