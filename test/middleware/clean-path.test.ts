/** cleanPathMiddleware: doubled slashes redirect (302) to the clean path, query kept. */
import { describe, expect, it } from 'vitest'

import { type Environ, WsgiHandler, WsgiResponse, cleanPathMiddleware } from 'pulsar-ts'
import { inject, testWsgiEnviron } from 'pulsar-ts/testing'

import { transports } from '../helpers/transports.js'

const echo = (environ: Environ) =>
  new WsgiResponse(200, `${environ.PATH_INFO}?${environ.QUERY_STRING}`)
const site = new WsgiHandler([cleanPathMiddleware, echo])

describe('cleanPathMiddleware', () => {
  it('redirects bla//foo to /bla/foo with the query kept (pulsar)', async () => {
    const res = await inject(site, '/bla//foo?page=1')
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('/bla/foo?page=1')
  })

  it.each([
    ['/a///b//', '/a/b/'],
    ['//evil.example//x', '/evil.example/x'], // never `//host`: a browser would leave the site
    ['/a%2F%2Fb', '/a/b'], // decoded slashes count: the redirect must not loop
    ['/x//y%3Fz%23w', '/x/y%3Fz%23w'], // a decoded ? or # stays part of the path
    ['/%C3%A9//%20a', '/%C3%A9/%20a'],
    ['/%5C%5Cevil//', '/%5C%5Cevil/'],
  ])('redirects %s to %s', async (path, location) => {
    const res = await inject(site, path)
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe(location)
  })

  it('lets clean paths through, without a promise', async () => {
    expect(
      cleanPathMiddleware(testWsgiEnviron({ path: '/a/b?x=//' }), () => () => Promise.resolve()),
    ).toBeUndefined()
    const res = await inject(site, '/a/b?x=//')
    expect(res.status).toBe(200)
    expect(res.text).toBe('/a/b?x=//')
  })
})

describe.each(transports)('clean paths over $name', (t) => {
  it('redirects a real client to the clean path', async () => {
    const { url } = await t.serve(site)
    const manual = await t.fetch(new URL('/bla//foo?page=1', url), { redirect: 'manual' })
    expect(manual.status).toBe(302)
    expect(manual.headers.get('location')).toBe('/bla/foo?page=1')
    const followed = await t.fetch(`${url}//bla//foo?page=1`)
    expect(followed.redirected).toBe(true)
    expect(await followed.text()).toBe('/bla/foo?page=1')
  })
})
