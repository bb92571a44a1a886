/**
 * The conformance table of route rules and converters: each case is a rule,
 * a request path, and what the router must do with it, run through a real
 * Router (so through find-my-way), plus URL building and malformed rules.
 */
import { describe, expect, it } from 'vitest'

import { WsgiHandler } from 'pulsar-ts'
import { Router, Rule } from 'pulsar-ts/router'
import { inject } from 'pulsar-ts/testing'

const UUID = '123e4567-e89b-42d3-a456-426614174000'

/** `[rule, path, urlargs]`: a 200 echoing urlargs; `404`: the router answers 404 itself; `'next'`: no route, the next middleware answers. */
const MATCHES: [string, string, Record<string, unknown> | 404 | 'next'][] = [
  // static rules and the root
  ['/', '/', {}],
  ['', '/', {}],
  ['/bla', '/bla', {}],
  ['/bla', '/bla/x', 'next'],
  ['/bla', '/blax', 'next'],
  ['/a/b/c', '/a/b/c', {}],
  ['//a///b', '/a/b', {}],
  ['/with:colon', '/with:colon', {}],
  ['/café', '/caf%C3%A9', {}],
  // string (the default converter)
  ['/<name>', '/luca', { name: 'luca' }],
  ['/<name>', '/luca/x', 'next'],
  ['/<string:name>', '/a%20b', { name: 'a b' }],
  ['/users/<name>', '/users/', 404],
  ['/<string(minlength=3):name>', '/ab', 404],
  ['/<string(minlength=3):name>', '/abc', { name: 'abc' }],
  ['/<string(maxlength=3):name>', '/abcd', 404],
  ['/<string(length=2):name>', '/ab', { name: 'ab' }],
  ['/<string(length=2):name>', '/abc', 404],
  ['/<a>/<b>', '/x/y', { a: 'x', b: 'y' }],
  ['/<name>', '/%252e%252e', { name: '%2e%2e' }],
  ['/<name>', '/a%3Fb', { name: 'a?b' }],
  ['/<name>', '/a%23b', { name: 'a#b' }],
  ['/<name>', '/%E2%98%83', { name: '☃' }],
  // int
  ['/<int:id>', '/35', { id: 35 }],
  ['/<int:id>', '/007', { id: 7 }],
  ['/<int:id>', '/0', { id: 0 }],
  ['/<int:id>', '/-3', 404],
  ['/<int:id>', '/3.5', 404],
  ['/<int:id>', '/abc', 404],
  ['/<int:id>', '/1e3', 404],
  ['/<int:id>', '/99999999999999999999', 404],
  ['/<int(signed=true):id>', '/-3', { id: -3 }],
  ['/<int(2):id>', '/01', { id: 1 }],
  ['/<int(2):id>', '/134', 404],
  ['/<int(min=1):n>', '/0', 404],
  ['/<int(min=1):n>', '/1', { n: 1 }],
  ['/<int(min=1,max=10):n>', '/10', { n: 10 }],
  ['/<int(min=1,max=10):n>', '/11', 404],
  ['/<int(min = 1, max = 10):n>', '/5', { n: 5 }],
  ['/redirect/<int(min=1,max=10):n>', '/redirect/', 404],
  // float
  ['/<float:x>', '/1.5', { x: 1.5 }],
  ['/<float:x>', '/2', { x: 2 }],
  ['/<float:x>', '/-1.5', 404],
  ['/<float(signed=true):x>', '/-1.5', { x: -1.5 }],
  ['/<float:x>', '/1.', 404],
  ['/<float:x>', '/.5', 404],
  ['/<float:x>', '/NaN', 404],
  ['/<float:x>', '/Infinity', 404],
  ['/<float(max=1):x>', '/1.01', 404],
  // uuid
  [`/<uuid:id>`, `/${UUID}`, { id: UUID }],
  [`/<uuid:id>`, `/${UUID.toUpperCase()}`, { id: UUID }],
  [`/<uuid:id>`, `/${UUID.slice(1)}`, 404],
  [`/<uuid:id>`, '/not-a-uuid', 404],
  // path
  ['/files/<path:rest>', '/files/a/b/c.txt', { rest: 'a/b/c.txt' }],
  ['/files/<path:rest>', '/files/', { rest: '' }],
  ['/files/<path:rest>', '/files/a%2Fb', { rest: 'a/b' }],
  ['/files/<path:rest>', '/files/%252F', { rest: '%2F' }],
  ['/files/<path:rest>', '/files/..%2F..', { rest: '../..' }],
  ['/<path:rest>', '/', { rest: '' }],
  // any
  ['/<any(json,xml):fmt>', '/json', { fmt: 'json' }],
  ['/<any(json,xml):fmt>', '/yaml', 404],
  ['/<any(json, "a,b"):fmt>', '/a,b', { fmt: 'a,b' }],
  // several variables and static parts
  ['/users/<int:id>/posts/<uuid:post>', `/users/5/posts/${UUID}`, { id: 5, post: UUID }],
  ['/users/<int:id>/posts/<uuid:post>', '/users/5/posts/x', 404],
  ['/a/<int:x>/b/<path:rest>', '/a/1/b/c/d', { x: 1, rest: 'c/d' }],
]

const echo = (rule: string) =>
  new WsgiHandler([
    new Router(rule, { get: (request) => request.urlargs }),
    () => {
      throw Object.assign(new Error('next'), { status: 418 })
    },
  ])

describe('route rules and converters', () => {
  it.each(MATCHES)('%s with %s', async (rule, path, expected) => {
    const response = await inject(echo(rule), path)
    if (expected === 404) expect(response.status).toBe(404)
    else if (expected === 'next') expect(response.status).toBe(418)
    else {
      expect(response.status).toBe(200)
      expect(response.json()).toEqual(expected)
    }
  })

  it('keeps the first route whose converters accept among rules of one shape', async () => {
    const app = new WsgiHandler([
      new Router(
        '/',
        {},
        new Router('<int:id>', { get: () => 'int' }),
        new Router('<uuid:id>', { get: () => 'uuid' }),
        new Router('<name>', { get: () => 'string' }),
      ),
    ])
    expect((await inject(app, '/5')).text).toBe('int')
    expect((await inject(app, `/${UUID}`)).text).toBe('uuid')
    expect((await inject(app, '/luca')).text).toBe('string')
  })

  it('gives static segments precedence over variables, as find-my-way does', async () => {
    const app = new WsgiHandler([
      new Router(
        '/users',
        {},
        new Router('<name>', { get: () => 'variable' }),
        new Router('me', { get: () => 'static' }),
      ),
    ])
    expect((await inject(app, '/users/me')).text).toBe('static')
    expect((await inject(app, '/users/you')).text).toBe('variable')
  })
})

/** `[rule, urlargs, url]`, or an Error message pattern the build throws. */
const URLS: [string, Record<string, unknown>, string | RegExp][] = [
  ['/', {}, '/'],
  ['/bla/', {}, '/bla/'],
  ['/<name>/', { name: 'luca' }, '/luca/'],
  ['/<name>', { name: 'a b/c' }, /not a valid string/],
  ['/<name>', { name: 'a b' }, '/a%20b'],
  ['/<name>', {}, /Missing URL argument "name"/],
  ['/<a>/<b>', { a: 'x' }, /Missing URL argument "b"/],
  ['/<int:id>/', { id: 1 }, '/1/'],
  ['/<int:id>', { id: '12' }, '/12'],
  ['/<int:id>', { id: 'bla' }, /not a valid int/],
  ['/<int:id>', { id: 1.5 }, /not a valid int/],
  ['/<int(2):id>', { id: 1 }, '/01'],
  ['/<int(2):id>', { id: 134 }, /does not have 2 digits/],
  ['/<int(min=1):cid>', { cid: 0 }, /not a valid int/],
  ['/<int(min=1):cid>', { cid: -1 }, /not a valid int/],
  ['/<int(signed=true):n>', { n: -4 }, '/-4'],
  ['/<float:x>', { x: 2.5 }, '/2.5'],
  ['/<float:x>', { x: -2.5 }, /not a valid float/],
  ['/<uuid:id>', { id: UUID.toUpperCase() }, `/${UUID}`],
  ['/<uuid:id>', { id: 'x' }, /not a UUID/],
  ['/bla/<path:rest>', { rest: 'a/' }, '/bla/a/'],
  ['/bla/<path:rest>', { rest: '' }, '/bla/'],
  ['/bla/<path:rest>', { rest: 'a b/c?d' }, '/bla/a%20b/c%3Fd'],
  ['/<any(json,xml):fmt>', { fmt: 'xml' }, '/xml'],
  ['/<any(json,xml):fmt>', { fmt: 'csv' }, /not one of json, xml/],
]

describe('Rule.url', () => {
  it.each(URLS)('%s with %j', (rule, urlargs, expected) => {
    const build = () => new Rule(rule).url(urlargs)
    if (expected instanceof RegExp) expect(build).toThrow(expected)
    else expect(build()).toBe(expected)
  })
})

const MALFORMED: [string, RegExp][] = [
  ['/<bla', /Malformed rule/],
  ['/bla>', /Malformed rule/],
  ['/x<id>', /Malformed rule/],
  ['/<id>/<id>', /variable id twice/],
  ['/<foo:id>', /Unknown converter "foo"/],
  ['/<constructor:id>', /Unknown converter "constructor"/],
  ['/<path:rest>/more', /must be the last segment/],
  ['/<int(min=1,bogus=2):id>', /no argument "bogus"/],
  ['/<int(1,2,3,4,5):id>', /at most 4 arguments/],
  ['/<int(min="a"):id>', /min must be a number/],
  ['/<int(min=1, 2):id>', /Positional converter argument 2 after a named one/],
  ['/<int(min=1,min=2):id>', /given twice/],
  ['/<any():id>', /at least one value/],
  ['/<uuid(1):id>', /at most 0 arguments/],
  ['/a*b', /cannot contain/],
  ['/a%20b', /cannot contain/],
]

describe('malformed rules', () => {
  it.each(MALFORMED)('%s', (rule, message) => {
    expect(() => new Rule(rule)).toThrow(message)
    expect(() => new Router(rule, { get: () => 'x' })).toThrow(TypeError)
  })
})
