/** authorizationMiddleware and parseAuthorization: Basic and Bearer, null for anything else, never a throw. */
import { describe, expect, it } from 'vitest'

import {
  type Environ,
  WsgiHandler,
  WsgiResponse,
  authorizationMiddleware,
  parseAuthorization,
} from 'pulsar-ts'
import { inject, testWsgiEnviron } from 'pulsar-ts/testing'

import { transports } from '../helpers/transports.js'

const basic = (credentials: string | Buffer) =>
  `Basic ${Buffer.from(credentials).toString('base64')}`

describe('parseAuthorization', () => {
  it('parses Basic credentials, the password keeping its colons', () => {
    expect(parseAuthorization(basic('user:pa:ss'))).toEqual({
      scheme: 'basic',
      username: 'user',
      password: 'pa:ss',
    })
    expect(parseAuthorization(`basic  ${Buffer.from('a:').toString('base64')}`)).toEqual({
      scheme: 'basic',
      username: 'a',
      password: '',
    })
    expect(parseAuthorization(basic('jürgen:pässwörd'))).toMatchObject({ username: 'jürgen' })
    // padding may be left out
    expect(parseAuthorization('Basic YTpi')).toMatchObject({ username: 'a', password: 'b' })
    expect(parseAuthorization('Basic YTpiYw')).toMatchObject({ username: 'a', password: 'bc' })
  })

  it('parses Bearer tokens', () => {
    expect(parseAuthorization('Bearer abc.DEF-123_~+/==')).toEqual({
      scheme: 'bearer',
      token: 'abc.DEF-123_~+/==',
    })
    expect(parseAuthorization('BEARER t')).toEqual({ scheme: 'bearer', token: 't' })
  })

  it.each([
    undefined,
    '',
    'garbage',
    'Basic',
    'Basic ',
    'Basic !!!',
    'Basic a',
    'Basic YTpi=',
    'Basic YQ==YQ==',
    basic('no-colon'),
    basic('user:pass\x00'),
    basic('us\ner:pass'),
    basic(Buffer.from([0xff, 0xfe, 0x3a, 0x41])), // not UTF-8
    'Bearer',
    'Bearer a b',
    'Bearer tok@en',
    'Digest username="u", realm="r"',
    'Negotiate abc',
    `Basic ${'A'.repeat(10000)}=`,
  ])('gives null for %j', (header) => {
    expect(parseAuthorization(header)).toBeNull()
  })
})

describe('authorizationMiddleware', () => {
  it('sets environ["http.authorization"] once and lets the next middleware answer', () => {
    const environ = testWsgiEnviron({ headers: { Authorization: 'Bearer t1' } })
    expect(authorizationMiddleware(environ, () => () => Promise.resolve())).toBeUndefined()
    expect(environ['http.authorization']).toEqual({ scheme: 'bearer', token: 't1' })
    // parsed once: a second pass keeps what is there
    environ['http.authorization'] = null
    authorizationMiddleware(environ, () => () => Promise.resolve())
    expect(environ['http.authorization']).toBeNull()
    const none = testWsgiEnviron()
    authorizationMiddleware(none, () => () => Promise.resolve())
    expect('http.authorization' in none).toBe(true)
    expect(none['http.authorization']).toBeNull()
  })
})

describe.each(transports)('authorization over $name', (t) => {
  it('hands the credentials to the application, over a socket', async () => {
    const whoami = (environ: Environ) => WsgiResponse.json(environ['http.authorization'] ?? null)
    const { url } = await t.serve(new WsgiHandler([authorizationMiddleware, whoami]))
    const user = await t.fetch(url, { headers: { Authorization: basic('alice:secret') } })
    expect(await user.json()).toEqual({ scheme: 'basic', username: 'alice', password: 'secret' })
    const malformed = await t.fetch(url, { headers: { Authorization: 'Basic %%%' } })
    expect(malformed.status).toBe(200)
    expect(await malformed.json()).toBeNull()
    const res = await inject(new WsgiHandler([authorizationMiddleware, whoami]), {
      headers: { Authorization: 'Bearer xyz' },
    })
    expect(res.json()).toEqual({ scheme: 'bearer', token: 'xyz' })
  })
})
