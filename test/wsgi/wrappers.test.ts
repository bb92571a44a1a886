/** WsgiRequest and WsgiResponse: the ergonomic wrappers over environ and start_response. */
import { describe, expect, it } from 'vitest'

import { type Environ, HttpRedirect, WsgiRequest, WsgiResponse } from 'pulsar-ts'
import { inject, testWsgiEnviron } from 'pulsar-ts/testing'

describe('WsgiRequest', () => {
  it('reads method, path, query, headers, cookies and URLs', () => {
    const request = new WsgiRequest(
      testWsgiEnviron({
        path: '/bla?path=foo&id=5&id=6',
        headers: {
          Host: 'bbc.co.uk',
          Cookie: 'a=1; b="two%20words"; a=3',
          'X-Requested-With': 'XMLHttpRequest',
        },
      }),
      { id: 5 },
    )
    expect(request.method).toBe('GET')
    expect(request.path).toBe('/bla')
    expect(request.query.get('path')).toBe('foo')
    expect(request.query.getAll('id')).toEqual(['5', '6'])
    expect(request.header('x-requested-with')).toBe('XMLHttpRequest')
    expect(request.header('Missing')).toBeUndefined()
    expect(request.cookies).toEqual({ a: '1', b: 'two words' })
    expect(request.isXhr).toBe(true)
    expect(request.isSecure).toBe(false)
    expect(request.host).toBe('bbc.co.uk')
    expect(request.absoluteUri()).toBe('http://bbc.co.uk/bla?path=foo&id=5&id=6')
    expect(request.absoluteUri('/news/')).toBe('http://bbc.co.uk/news/')
    expect(request.urlargs).toEqual({ id: 5 })
  })

  it('round-trips a non-ASCII path', () => {
    const request = new WsgiRequest(testWsgiEnviron({ path: '/%E2%98%83', https: true }))
    expect(request.path).toBe('/☃')
    expect(request.absoluteUri()).toBe('https://127.0.0.1:8060/%E2%98%83')
  })

  it('negotiates the response type from Accept', () => {
    const request = new WsgiRequest(
      testWsgiEnviron({ headers: { Accept: 'text/html;q=0.9, application/json' } }),
    )
    expect(request.accepts('text/html', 'application/json')).toBe('application/json')
    expect(request.accepts('text/plain')).toBeUndefined()
    const browser = new WsgiRequest(testWsgiEnviron({ headers: { Accept: 'text/html,*/*;q=0.8' } }))
    expect(browser.accepts('application/json', 'text/html')).toBe('text/html')
    expect(new WsgiRequest(testWsgiEnviron()).accepts('text/html', 'application/json')).toBe(
      'text/html',
    )
  })

  it('reads the body once, shared by every wrapper of the environ', async () => {
    const environ = testWsgiEnviron({
      method: 'POST',
      body: '{"a":1}',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
    })
    const first = new WsgiRequest(environ)
    expect(first.contentType).toBe('application/json')
    expect(first.charset).toBe('utf-8')
    expect(await first.json()).toEqual({ a: 1 })
    expect(await new WsgiRequest(environ).text()).toBe('{"a":1}')
  })

  it('parses urlencoded forms and refuses other bodies with 415', async () => {
    const form = new WsgiRequest(
      testWsgiEnviron({
        method: 'POST',
        body: 'a=1&b=x+y',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      }),
    )
    expect(Object.fromEntries(await form.form())).toEqual({ a: '1', b: 'x y' })
    const json = new WsgiRequest(
      testWsgiEnviron({
        method: 'POST',
        body: '{}',
        headers: { 'Content-Type': 'application/json' },
      }),
    )
    await expect(json.form()).rejects.toMatchObject({ status: 415 })
  })

  it('builds JSON responses and refuses them to clients that do not accept JSON', () => {
    const ok = new WsgiRequest(
      testWsgiEnviron({ headers: { Accept: 'application/*' } }),
    ).jsonResponse({ a: 1 }, 201)
    expect(ok.statusCode).toBe(201)
    expect(ok.contentType).toBe('application/json; charset=utf-8')
    const refused = new WsgiRequest(testWsgiEnviron({ headers: { Accept: 'text/html' } }))
    expect(() => refused.jsonResponse({})).toThrow(expect.objectContaining({ status: 406 }))
  })

  it('negotiates each request by its own Accept, whatever the request before it sent', () => {
    // the Accept parsed last is kept from one request to the next
    const answer = (accept: string) => {
      const request = new WsgiRequest(testWsgiEnviron({ headers: { Accept: accept } }))
      try {
        return request.jsonResponse({}).statusCode
      } catch (error) {
        return (error as { status: number }).status
      }
    }
    const sequence = ['text/html', 'text/html', '*/*', 'text/html', 'Application/JSON; q=1']
    const more = ['text/*, application/json;q=0', '*/*;q=0', 'application/json;q=0.1, text/html']
    expect([...sequence, ...more].map(answer)).toEqual([406, 406, 200, 406, 200, 406, 406, 200])
  })
})

describe('WsgiResponse', () => {
  it('has pulsar defaults: 200, no content, not streamed, not started', async () => {
    const response = new WsgiResponse()
    expect(response.status).toBe('200 OK')
    expect(response.content).toEqual([])
    expect(response.isStreamed()).toBe(false)
    expect(response.length()).toBe(0)
    expect(response.started).toBe(false)
    const res = await inject(() => response)
    expect(response.started).toBe(true)
    expect(res.headers.get('Content-Length')).toBe('0')
  })

  it('takes headers as pairs or an object, and text gets a charset', async () => {
    const res = await inject(() => new WsgiResponse(500, 'é', { 'X-A': '1' }))
    expect(res.status).toBe(500)
    expect(res.reason).toBe('Internal Server Error')
    expect(res.headers.get('x-a')).toBe('1')
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(res.headers.get('content-length')).toBe('2')
    const html = await inject(() => new WsgiResponse(200, '<p>', [['X-B', '2']], 'text/html'))
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const bytes = await inject(
      () => new WsgiResponse(200, Buffer.from('b'), undefined, 'application/octet-stream'),
    )
    expect(bytes.headers.get('content-type')).toBe('application/octet-stream')
  })

  it('streams iterables and async iterables, and refuses a second iteration', async () => {
    const streamed = new WsgiResponse(
      200,
      (function* () {
        yield 'a'
        yield Promise.resolve('b')
      })(),
    )
    expect(streamed.isStreamed()).toBe(true)
    const chunks: string[] = []
    for await (const chunk of streamed) chunks.push(String(chunk))
    expect(chunks).toEqual(['a', 'b'])
    expect(streamed.iterated).toBe(true)
    expect(() => streamed.chunks()).toThrow(/once only/)
    expect(() => (streamed.content = 'late')).toThrow()
    const res = await inject(
      () =>
        new WsgiResponse(
          200,
          (async function* () {
            yield 'x'
            yield 'y'
          })(),
        ),
    )
    expect(res.text).toBe('xy')
    expect(res.headers.get('content-length')).toBeUndefined()
  })

  it('empties 204 and 304 and keeps HEAD headers with no body', async () => {
    const noContent = await inject(() => new WsgiResponse(204, 'dropped', undefined, 'text/plain'))
    expect(noContent.body.length).toBe(0)
    expect(noContent.headers.has('content-type')).toBe(false)
    expect(noContent.headers.has('content-length')).toBe(false)
    const head = await inject(() => new WsgiResponse(200, 'hello'), { method: 'HEAD' })
    expect(head.headers.get('content-length')).toBe('5')
    expect(head.body.length).toBe(0)
  })

  it('sets and deletes cookies with their attributes', async () => {
    const response = new WsgiResponse(200)
      .setCookie('session', 'a b;c', {
        maxAge: 10,
        httpOnly: true,
        secure: true,
        sameSite: 'Lax',
        domain: 'example.org',
      })
      .deleteCookie('old', { path: '/app' })
    const [session, old] = (await inject(() => response)).headers.getAll('set-cookie')
    expect(session).toMatch(
      /^session=a%20b%3Bc; Max-Age=10; Expires=.+ GMT; Path=\/; Domain=example.org; Secure; HttpOnly; SameSite=Lax$/,
    )
    expect(old).toMatch(/^old=; Max-Age=0; Expires=.+; Path=\/app$/)
    expect(() => new WsgiResponse().setCookie('bad name', 'v')).toThrow(TypeError)
    expect(() => new WsgiResponse().setCookie('ok', 'v', { path: '/;x' })).toThrow(TypeError)
  })

  it('builds redirects', async () => {
    expect(WsgiResponse.redirect('/foo').status).toBe('302 Found')
    const permanent = await inject(() => new WsgiRequest({} as Environ).redirect('/bar', 301))
    expect(permanent.status).toBe(301)
    expect(permanent.headers.get('location')).toBe('/bar')
    expect(new HttpRedirect('/x').location).toBe('/x')
    expect(() => new HttpRedirect('/x', 200)).toThrow(TypeError)
  })

  it('labels text content now with labelText(), as start() would', () => {
    expect(new WsgiResponse(200, 'x').labelText().contentType).toBe('text/plain; charset=utf-8')
    const html = new WsgiResponse(200, ['<p>', Buffer.from('b')], undefined, 'text/html')
    expect(html.labelText().contentType).toBe('text/html; charset=utf-8')
    const latin = new WsgiResponse(200, 'x', undefined, 'text/plain; charset=latin1')
    expect(latin.labelText().contentType).toBe('text/plain; charset=latin1')
    expect(new WsgiResponse(200, Buffer.from('b')).labelText().contentType).toBeUndefined()
  })

  it('calls close() of its content once', async () => {
    let closed = 0
    const content = Object.assign(['a'], { close: () => void closed++ })
    await inject(() => new WsgiResponse(200, content))
    expect(closed).toBe(1)
  })
})
