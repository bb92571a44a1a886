/** Router: trees, dispatch, 404/405/Allow, HEAD, OPTIONS, trailing slashes, negotiation, results. */
import { Readable } from 'node:stream'

import { describe, expect, it } from 'vitest'

import { PermissionDenied, WsgiHandler, type WsgiRequest, WsgiResponse } from 'pulsar-ts'
import { MediaRouter, Router, SkipRoute } from 'pulsar-ts/router'
import { inject } from 'pulsar-ts/testing'

import { transports } from '../helpers/transports.js'

const NEXT = () => new WsgiResponse(200, 'next middleware')

function app(...routers: Router[]) {
  return new WsgiHandler([...routers, NEXT])
}

describe('Router dispatch', () => {
  it('returns undefined when no route matches, so the next middleware answers', async () => {
    const router = new Router('/api', { get: () => 'api' })
    const environ = (await import('pulsar-ts/testing')).testWsgiEnviron({ path: '/other' })
    expect(router.handle(environ)).toBeUndefined()
    expect((await inject(app(router), '/other')).text).toBe('next middleware')
    expect((await inject(app(router), '/api')).text).toBe('api')
  })

  it('does not match a router that has no handler', async () => {
    const api = new Router('/api', new Router('users', { get: () => 'users' }))
    expect((await inject(app(api), '/api')).text).toBe('next middleware')
    expect((await inject(app(api), '/api/users')).text).toBe('users')
  })

  it('answers 405 with Allow for a method the route has no handler for', async () => {
    const router = new Router('/item', { get: () => 'x', delete: () => undefined })
    const response = await inject(app(router), { method: 'POST', path: '/item' })
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('GET, HEAD, DELETE, OPTIONS')
  })

  it('serves HEAD from GET with no body and the same length', async () => {
    let calls = 0
    const router = new Router('/page', {
      get: () => {
        calls++
        return 'hello world'
      },
    })
    const head = await inject(app(router), { method: 'HEAD', path: '/page' })
    expect(head.status).toBe(200)
    expect(head.body.length).toBe(0)
    expect(head.headers.get('content-length')).toBe('11')
    expect(calls).toBe(1)
  })

  it('uses its own head handler when it has one', async () => {
    const router = new Router('/page', {
      get: () => 'body',
      head: () => new WsgiResponse(200, undefined, { 'X-Head': 'own' }),
    })
    const head = await inject(app(router), { method: 'HEAD', path: '/page' })
    expect(head.headers.get('x-head')).toBe('own')
  })

  it('answers OPTIONS with Allow, unless the router defines options', async () => {
    const auto = new Router('/a', { post: () => 'x' })
    const response = await inject(app(auto), { method: 'OPTIONS', path: '/a' })
    expect(response.status).toBe(204)
    expect(response.headers.get('allow')).toBe('POST, OPTIONS')
    const own = new Router('/b', { get: () => 'x', options: () => new WsgiResponse(200, 'mine') })
    expect((await inject(app(own), { method: 'OPTIONS', path: '/b' })).text).toBe('mine')
  })

  it('answers a path of a route shape whose value does not convert with 404, not the next middleware', async () => {
    const router = new Router('/users/<int:id>', { get: () => 'user' })
    const response = await inject(app(router), '/users/abc')
    expect(response.status).toBe(404)
  })

  it('lets a handler fall through with SkipRoute, sync or async', async () => {
    const sync = new Router('/s', {
      get: () => {
        throw new SkipRoute()
      },
    })
    const async = new Router('/a', {
      get: async () => {
        await Promise.resolve()
        throw new SkipRoute()
      },
    })
    expect((await inject(app(sync), '/s')).text).toBe('next middleware')
    expect((await inject(app(async), '/a')).text).toBe('next middleware')
  })

  it('accepts objects with a handle method as handlers', async () => {
    const handler = {
      greeting: 'hi',
      handle(this: { greeting: string }, request: WsgiRequest) {
        return `${this.greeting} ${String(request.urlargs.name)}`
      },
    }
    const router = new Router('/<name>', { get: handler })
    expect((await inject(app(router), '/luca')).text).toBe('hi luca')
    expect(() => new Router('/', { get: 42 as never })).toThrow(/get handler must be a function/)
  })
})

describe('maxParamLength', () => {
  it('matches no variable longer than it, 100 characters unless set', async () => {
    const long = 'x'.repeat(150)
    const strict = new Router('/<name>', { get: () => 'matched' })
    expect((await inject(app(strict), `/${'x'.repeat(100)}`)).text).toBe('matched')
    expect((await inject(app(strict), `/${long}`)).text).toBe('next middleware')
    const loose = new Router('/<name>', { get: () => 'matched', maxParamLength: 200 })
    expect((await inject(app(loose), `/${long}`)).text).toBe('matched')
  })
})

describe('Router results', () => {
  const cases: [string, unknown, number, string | undefined, string][] = [
    ['a string', 'text', 200, 'text/plain; charset=utf-8', 'text'],
    ['bytes', Buffer.from('raw'), 200, 'application/octet-stream', 'raw'],
    ['an object', { a: 1 }, 200, 'application/json; charset=utf-8', '{"a":1}'],
    ['an array', [1, 'two'], 200, 'application/json; charset=utf-8', '[1,"two"]'],
    ['a number', 42, 200, 'application/json; charset=utf-8', '42'],
    ['a boolean', false, 200, 'application/json; charset=utf-8', 'false'],
    ['undefined', undefined, 204, undefined, ''],
    ['null', null, 204, undefined, ''],
    [
      'a WsgiResponse',
      () => new WsgiResponse(201, 'made'),
      201,
      'text/plain; charset=utf-8',
      'made',
    ],
  ]
  it.each(cases)('turns %s into a response', async (_name, value, status, type, body) => {
    // a function makes a fresh value per request: a WsgiResponse is sent once
    const make = () => (typeof value === 'function' ? (value as () => unknown)() : value)
    for (const handler of [make, () => Promise.resolve(make())]) {
      const response = await inject(app(new Router('/', { get: handler })), '/')
      expect(response.status).toBe(status)
      expect(response.headers.get('content-type')).toBe(type)
      expect(response.text).toBe(body)
    }
  })

  it('turns a thrown HttpException into its error page', async () => {
    const router = new Router('/', {
      get: () => {
        throw new PermissionDenied('no way')
      },
    })
    const response = await inject(app(router), '/')
    expect(response.status).toBe(403)
    expect(response.text).toBe('no way\n')
  })
})

describe('Router trees', () => {
  it('joins child rules to their parent', async () => {
    const root = new Router(
      '/root',
      { get: () => 'root' },
      new Router('a', { get: () => 'a' }, new Router('/b/<int:n>', { get: (r) => r.urlargs })),
    )
    const handler = app(root)
    expect((await inject(handler, '/root')).text).toBe('root')
    expect((await inject(handler, '/root/a')).text).toBe('a')
    expect((await inject(handler, '/root/a/b/3')).json()).toEqual({ n: 3 })
    const child = root.children[0]!
    expect(child.fullRule).toBe('/root/a')
    expect(child.parent).toBe(root)
    expect(child.children[0]!.root).toBe(root)
    expect(child.children[0]!.path({ n: 4 })).toBe('/root/a/b/4')
  })

  it('builds routes with route() and rebuilds its table when routes are added', async () => {
    const api = new Router('/api')
    const handler = app(api)
    expect((await inject(handler, '/api/users/1')).text).toBe('next middleware')
    const users = api.route('users/<int:id>', { get: (r) => ({ user: r.urlargs.id }) })
    expect((await inject(handler, '/api/users/1')).json()).toEqual({ user: 1 })
    users.route('posts', { get: () => 'posts' })
    expect((await inject(handler, '/api/users/1/posts')).text).toBe('posts')
    expect(users.path({ id: 9 })).toBe('/api/users/9')
  })

  it('moves a child to its new parent and forgets it in the old one', async () => {
    const child = new Router('x', { get: () => 'x' })
    const first = new Router('/first', child)
    const second = new Router('/second')
    const handler = app(first, second)
    expect((await inject(handler, '/first/x')).text).toBe('x')
    second.addChild(child)
    expect(child.parent).toBe(second)
    expect(first.children).toEqual([])
    expect((await inject(handler, '/first/x')).text).toBe('next middleware')
    expect((await inject(handler, '/second/x')).text).toBe('x')
    second.removeChild(child)
    expect(child.parent).toBeUndefined()
    expect((await inject(handler, '/second/x')).text).toBe('next middleware')
    expect(() => child.addChild(child)).toThrow(/own descendant/)
  })

  it('merges the methods of two routers with the same rule', async () => {
    const root = new Router(
      '/',
      {},
      new Router('<id>', { get: () => 'get' }),
      new Router('<id>', { post: () => 'post', get: () => 'shadowed' }),
    )
    expect((await inject(app(root), '/5')).text).toBe('get')
    expect((await inject(app(root), { method: 'POST', path: '/5' })).text).toBe('post')
  })

  it('finds routers by name and reports their methods', () => {
    const root = new Router('/', {}, new Router('a', { name: 'alpha', get: () => 'a' }))
    expect(root.getRouter('alpha')?.fullRule).toBe('/a')
    expect(root.getRouter('alpha')?.methods).toEqual(['GET', 'HEAD', 'OPTIONS'])
    expect(root.getRouter('missing')).toBeUndefined()
    expect(root.methods).toEqual([])
  })

  it('serves class-based routers whose methods are the handlers', async () => {
    class Users extends Router {
      readonly users = new Map([[1, 'ann']])
      get(request: WsgiRequest) {
        return { name: this.users.get(request.urlargs.id as number) ?? null }
      }
      async put(request: WsgiRequest) {
        this.users.set(request.urlargs.id as number, String(await request.json()))
        return undefined
      }
    }
    const users = new Users('/users/<int:id>')
    const handler = app(users)
    expect((await inject(handler, '/users/1')).json()).toEqual({ name: 'ann' })
    const put = await inject(handler, { method: 'PUT', path: '/users/2', body: '"bob"' })
    expect(put.status).toBe(204)
    expect((await inject(handler, '/users/2')).json()).toEqual({ name: 'bob' })
    expect(users.methods).toEqual(['GET', 'HEAD', 'PUT', 'OPTIONS'])
  })

  it('wraps every handler of a router and its children with responseWrapper', async () => {
    const seen: string[] = []
    const root = new Router(
      '/',
      {
        get: () => 'root',
        responseWrapper: (handler, request) => {
          seen.push(request.path)
          if (request.query.get('token') !== 'ok') throw new PermissionDenied('token please')
          return handler(request)
        },
      },
      new Router('child', { get: () => 'child' }),
    )
    const denied = await inject(app(root), '/child')
    expect(denied.status).toBe(403)
    expect(denied.text).toBe('token please\n')
    expect((await inject(app(root), '/child?token=ok')).text).toBe('child')
    expect((await inject(app(root), '/?token=ok')).text).toBe('root')
    expect(seen).toEqual(['/child', '/child', '/'])
  })
})

describe('Trailing slashes', () => {
  const routes = (trailingSlash?: 'redirect' | 'ignore' | 'strict') =>
    app(
      new Router(
        '/',
        trailingSlash ? { trailingSlash } : {},
        new Router('leaf', { get: () => 'leaf', post: () => 'posted' }),
        new Router('dir/', { get: () => 'dir' }),
        new Router('both', { get: () => 'both' }),
        new Router('both/', { get: () => 'both/' }),
        new Router('n/<int:id>', { get: () => 'n' }),
      ),
    )

  it('redirects with 308 to the route form by default, keeping the query', async () => {
    const handler = routes()
    const leaf = await inject(handler, '/leaf/?a=1')
    expect(leaf.status).toBe(308)
    expect(leaf.headers.get('location')).toBe('/leaf?a=1')
    const dir = await inject(handler, { method: 'POST', path: '/dir' })
    expect(dir.status).toBe(308)
    expect(dir.headers.get('location')).toBe('/dir/')
    expect((await inject(handler, '/both')).text).toBe('both')
    expect((await inject(handler, '/both/')).text).toBe('both/')
    expect((await inject(handler, '/n/x/')).status).toBe(404)
    expect((await inject(handler, '/n/5/')).headers.get('location')).toBe('/n/5')
  })

  it('serves the other form as the route with ignore', async () => {
    const handler = routes('ignore')
    expect((await inject(handler, '/leaf/')).text).toBe('leaf')
    expect((await inject(handler, { method: 'POST', path: '/leaf/' })).text).toBe('posted')
    expect((await inject(handler, '/dir')).text).toBe('dir')
  })

  it('matches only the exact form with strict', async () => {
    const handler = routes('strict')
    expect((await inject(handler, '/leaf/')).text).toBe('next middleware')
    expect((await inject(handler, '/dir')).text).toBe('next middleware')
    expect((await inject(handler, '/leaf')).text).toBe('leaf')
  })

  it('never redirects to another host', async () => {
    const handler = app(new Router('/<path:rest>', { get: () => 'x' }))
    const response = await inject(handler, '//evil.example/')
    expect(response.status).toBe(200)
    const media = new MediaRouter('/', '.')
    const redirect = await inject(app(media), '//evil.example')
    expect(redirect.headers.get('location') ?? '').not.toMatch(/^\/\//)
  })
})

describe('Content negotiation', () => {
  const routes = app(
    new Router(
      '/',
      { responseContentTypes: ['text/html', 'application/json'], get: () => 'page' },
      new Router('json', { responseContentTypes: ['application/json'], get: () => ({ a: 1 }) }),
      new Router('inherits', { get: () => 'inherited' }),
    ),
  )

  it('answers 406 when Accept refuses every declared type', async () => {
    const refused = await inject(routes, { path: '/', headers: { Accept: 'image/png' } })
    expect(refused.status).toBe(406)
    const child = await inject(routes, { path: '/inherits', headers: { Accept: 'text/plain' } })
    expect(child.status).toBe(406)
    const json = await inject(routes, { path: '/json', headers: { Accept: 'text/html' } })
    expect(json.status).toBe(406)
  })

  it('serves a request that accepts one of them, or sends no Accept', async () => {
    expect((await inject(routes, { path: '/', headers: { Accept: 'text/*' } })).status).toBe(200)
    expect((await inject(routes, '/json')).status).toBe(200)
    const wildcard = await inject(routes, { path: '/json', headers: { Accept: '*/*' } })
    expect(wildcard.json()).toEqual({ a: 1 })
  })

  it('sets types and charsets with jsonResponse, textResponse and htmlResponse', async () => {
    const handler = app(
      new Router('/', {}, new Router('j', { get: (r) => r.jsonResponse({ ü: 'é' }, 201) })),
      new Router('/t', { get: (r) => r.textResponse('ü', 202) }),
      new Router('/h', { get: (r) => r.htmlResponse('<p>ü</p>') }),
    )
    const json = await inject(handler, '/j')
    expect([json.status, json.headers.get('content-type'), json.text]).toEqual([
      201,
      'application/json; charset=utf-8',
      '{"ü":"é"}',
    ])
    const text = await inject(handler, '/t')
    expect([text.status, text.headers.get('content-type'), text.text]).toEqual([
      202,
      'text/plain; charset=utf-8',
      'ü',
    ])
    const html = await inject(handler, '/h')
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(html.headers.get('content-length')).toBe(String(Buffer.byteLength('<p>ü</p>')))
    const refused = await inject(handler, { path: '/h', headers: { Accept: 'application/json' } })
    expect(refused.status).toBe(406)
  })
})

describe.each(transports)('Router over a real socket, $name', (t) => {
  it('serves routes, 404, 405 and OPTIONS to fetch', async () => {
    const { url } = await t.serve(
      new WsgiHandler([
        new Router('/users/<int:id>', { get: (r) => ({ id: r.urlargs.id }), delete: () => null }),
      ]),
    )
    const ok = await t.fetch(`${url}/users/42`)
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ id: 42 })
    expect((await t.fetch(`${url}/users/4x2`)).status).toBe(404)
    expect((await t.fetch(`${url}/nothing`)).status).toBe(404)
    const post = await t.fetch(`${url}/users/42`, { method: 'POST', body: 'x' })
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD, DELETE, OPTIONS')
    const options = await t.fetch(`${url}/users/42`, { method: 'OPTIONS' })
    expect(options.status).toBe(204)
    expect(options.headers.get('allow')).toBe('GET, HEAD, DELETE, OPTIONS')
    expect((await t.fetch(`${url}/users/42`, { method: 'DELETE' })).status).toBe(204)
  })

  it('streams an async iterable or a Readable, chunked over HTTP/1.1 only', async () => {
    const generator = new Router('/gen', {
      get: async function* () {
        yield 'a'
        yield Buffer.from('b')
      },
    })
    const readable = new Router('/readable', { get: () => Readable.from(['x', 'y']) })
    const { url } = await t.serve(app(generator, readable))
    const first = await t.fetch(`${url}/gen`)
    expect(first.headers.get('transfer-encoding')).toBe(t.name === 'HTTP/1.1' ? 'chunked' : null)
    expect(first.headers.get('content-type')).toBe('application/octet-stream')
    expect(await first.text()).toBe('ab')
    expect(await (await t.fetch(`${url}/readable`)).text()).toBe('xy')
  })
})
