/** defaultHeaders() and secureHeaders(): added headers, the application's kept, HSTS only over HTTPS. */
import { describe, expect, it } from 'vitest'

import {
  type HeadersInit,
  type ResponseMiddleware,
  WsgiHandler,
  WsgiResponse,
  defaultHeaders,
  secureHeaders,
} from 'pulsar-ts'
import { type TestRequest, inject } from 'pulsar-ts/testing'

import { transports } from '../helpers/transports.js'

function run(middleware: ResponseMiddleware, headers?: HeadersInit, request: TestRequest = {}) {
  return inject(
    new WsgiHandler([() => new WsgiResponse(200, 'ok', headers)], [middleware]),
    request,
  )
}

describe('defaultHeaders', () => {
  it('adds its headers and leaves the ones the application set', async () => {
    const middleware = defaultHeaders({ 'Cache-Control': 'no-store', 'X-Api': 'v1' })
    const res = await run(middleware, { 'cache-control': 'max-age=60' })
    expect(res.headers.getAll('cache-control')).toEqual(['max-age=60'])
    expect(res.headers.get('x-api')).toBe('v1')
  })

  it('replaces the application headers when told to override', async () => {
    const middleware = defaultHeaders([['Cache-Control', 'no-store']], { override: true })
    const res = await run(middleware, { 'Cache-Control': 'max-age=60' })
    expect(res.headers.getAll('cache-control')).toEqual(['no-store'])
  })

  it('reaches error responses too', async () => {
    const res = await inject(new WsgiHandler([], [defaultHeaders({ 'X-Api': 'v1' })]))
    expect(res.status).toBe(404)
    expect(res.headers.get('x-api')).toBe('v1')
  })

  it('refuses a bad header when built, not per request', () => {
    expect(() => defaultHeaders({ 'Bad Name': 'x' })).toThrow(TypeError)
    expect(() => defaultHeaders({ 'X-Injected': 'a\r\nSet-Cookie: b' })).toThrow(TypeError)
  })
})

describe('secureHeaders', () => {
  it('sends the preset, without HSTS over plain HTTP', async () => {
    const res = await run(secureHeaders())
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN')
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    expect(res.headers.has('strict-transport-security')).toBe(false)
    expect(res.headers.has('content-security-policy')).toBe(false)
  })

  it('sends HSTS when the request came over HTTPS, directly or through a trusted proxy', async () => {
    const direct = await run(secureHeaders(), undefined, { https: true })
    expect(direct.headers.get('strict-transport-security')).toBe(
      'max-age=31536000; includeSubDomains',
    )
    const proxied = await run(
      secureHeaders({ hsts: { maxAge: 60, includeSubDomains: false, preload: true } }),
      undefined,
      {
        trust_proxy: true,
        headers: { 'X-Forwarded-Proto': 'https' },
      },
    )
    expect(proxied.headers.get('strict-transport-security')).toBe('max-age=60; preload')
    const off = await run(secureHeaders({ hsts: false }), undefined, { https: true })
    expect(off.headers.has('strict-transport-security')).toBe(false)
  })

  it('takes a CSP as a string or as directives, report-only if asked', async () => {
    const text = await run(secureHeaders({ contentSecurityPolicy: "default-src 'self'" }))
    expect(text.headers.get('content-security-policy')).toBe("default-src 'self'")
    const directives = await run(
      secureHeaders({
        contentSecurityPolicy: { 'default-src': "'self'", 'img-src': ["'self'", 'data:'] },
        contentSecurityPolicyReportOnly: true,
      }),
    )
    expect(directives.headers.has('content-security-policy')).toBe(false)
    expect(directives.headers.get('content-security-policy-report-only')).toBe(
      "default-src 'self'; img-src 'self' data:",
    )
  })

  it('changes or leaves out each header of the preset, and adds more', async () => {
    const res = await run(
      secureHeaders({
        noSniff: false,
        frameOptions: 'DENY',
        referrerPolicy: false,
        headers: { 'Cross-Origin-Opener-Policy': 'same-origin' },
      }),
    )
    expect(res.headers.has('x-content-type-options')).toBe(false)
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    expect(res.headers.has('referrer-policy')).toBe(false)
    expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin')
  })

  it('keeps what the application set unless told to override', async () => {
    const kept = await run(secureHeaders(), { 'X-Frame-Options': 'DENY' })
    expect(kept.headers.getAll('x-frame-options')).toEqual(['DENY'])
    const replaced = await run(secureHeaders({ override: true }), { 'X-Frame-Options': 'DENY' })
    expect(replaced.headers.getAll('x-frame-options')).toEqual(['SAMEORIGIN'])
  })

  it('refuses bad options when built', () => {
    expect(() => secureHeaders({ frameOptions: 'ALLOW' as 'DENY' })).toThrow(TypeError)
    expect(() => secureHeaders({ hsts: { maxAge: -1 } })).toThrow(/hsts.maxAge/)
    expect(() => secureHeaders({ contentSecurityPolicy: 'a\nb' })).toThrow(TypeError)
  })
})

describe.each(transports)('secure headers over $name', (t) => {
  it('reaches a real client, with HSTS over HTTPS only', async () => {
    const { url } = await t.serve(
      new WsgiHandler(
        [() => new WsgiResponse(200, 'ok')],
        [secureHeaders(), defaultHeaders({ 'X-Api': 'v1' })],
      ),
    )
    const res = await t.fetch(url)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('x-api')).toBe('v1')
    expect(res.headers.get('strict-transport-security')).toBe(
      t.scheme === 'https' ? 'max-age=31536000; includeSubDomains' : null,
    )
    expect(await res.text()).toBe('ok')
  })
})
