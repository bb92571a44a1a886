/**
 * httpbin's /digest-auth over a real socket, with a Digest client written
 * here from RFC 7616 (pulsar's test_digest_authentication and
 * test_digest_authentication_failure, and what a client can get wrong).
 */
import { createHash } from 'node:crypto'

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { HttpBin } from '../../examples/httpbin.js'
import { serve } from '../helpers/listen.js'
import { hasWholeResponse, parseResponse, rawUntil } from '../helpers/raw.js'

let url: string
let port: number

beforeEach(async () => {
  ;({ url, port } = await serve(new HttpBin()))
})

afterEach(() => vi.restoreAllMocks())

/** The parameters of a `WWW-Authenticate: Digest` challenge. */
function parseChallenge(header: string | null): Record<string, string> {
  expect(header).toMatch(/^Digest /)
  const params: Record<string, string> = {}
  for (const [, name, quoted, token] of header!.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g))
    params[name!] = quoted ?? token!
  return params
}

interface Credentials {
  username: string
  password: string
  algorithm?: string
  qop?: string
  /** The uri the client claims (the request target unless given). */
  uri?: string
  nc?: string
  /** Extra text appended to the header. */
  extra?: string
  /** Send `username*` (RFC 8187) instead of `username`. */
  extended?: boolean
}

const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-256': 'sha256' }

/** The Authorization header a Digest client sends for `path` after `challenge`. */
function authorization(path: string, challenge: Record<string, string>, c: Credentials): string {
  const algorithm = c.algorithm ?? 'MD5'
  const H = (text: string) =>
    createHash(HASHES[algorithm.replace(/-sess$/i, '')]!)
      .update(text)
      .digest('hex')
  const [uri, qop, nc, cnonce] = [c.uri ?? path, c.qop ?? 'auth', c.nc ?? '00000001', 'c0ffee']
  let ha1 = H(`${c.username}:${challenge.realm}:${c.password}`)
  if (/-sess$/i.test(algorithm)) ha1 = H(`${ha1}:${challenge.nonce}:${cnonce}`)
  const ha2 = qop === 'auth-int' ? H(`GET:${uri}:${H('')}`) : H(`GET:${uri}`)
  const response = H(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
  const user = c.extended
    ? `username*=UTF-8''${encodeURIComponent(c.username)}`
    : `username="${c.username}"`
  return (
    `Digest ${user}, realm="${challenge.realm}", nonce="${challenge.nonce}", uri="${uri}", ` +
    `algorithm=${algorithm}, qop=${qop}, nc=${nc}, cnonce="${cnonce}", ` +
    `response="${response}", opaque="${challenge.opaque}"${c.extra ?? ''}`
  )
}

/** A 401 challenge for `path`, then the request with the credentials: the second response. */
async function login(path: string, credentials: Credentials): Promise<Response> {
  const first = await fetch(`${url}${path}`)
  expect(first.status).toBe(401)
  const challenge = parseChallenge(first.headers.get('www-authenticate'))
  return fetch(`${url}${path}`, {
    headers: { Authorization: authorization(path, challenge, credentials) },
  })
}

describe('/digest-auth/<username>/<password>/<qop>', () => {
  it('challenges with realm, qop, nonce, opaque and MD5', async () => {
    const response = await fetch(`${url}/digest-auth/luca/bla/auth`)
    expect(response.status).toBe(401)
    const challenge = parseChallenge(response.headers.get('www-authenticate'))
    expect(challenge).toMatchObject({ realm: 'httpbin', qop: 'auth', algorithm: 'MD5' })
    expect(challenge.nonce).toMatch(/^[0-9a-f]+\.[0-9a-f]{64}$/)
    expect(challenge.opaque).toMatch(/^[0-9a-f]{32}$/)
    const intChallenge = await fetch(`${url}/digest-auth/luca/bla/auth-int`)
    expect(parseChallenge(intChallenge.headers.get('www-authenticate')).qop).toBe('auth-int')
  })

  it('lets the right user in (test_digest_authentication)', async () => {
    const ok = await login('/digest-auth/luca/bla/auth', { username: 'luca', password: 'bla' })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ authenticated: true, user: 'luca' })
  })

  it('challenges again for a wrong password or user (test_digest_authentication_failure)', async () => {
    const path = '/digest-auth/luca/bla/auth'
    for (const credentials of [
      { username: 'luca', password: 'wrong' },
      { username: 'other', password: 'bla' },
    ]) {
      const refused = await login(path, credentials)
      expect(refused.status).toBe(401)
      expect(parseChallenge(refused.headers.get('www-authenticate')).stale).toBeUndefined()
    }
  })

  it('serves qop auth-int, the -sess and SHA-256 algorithms, a query, and the defaults', async () => {
    const cases: [string, Credentials][] = [
      ['/digest-auth/luca/bla/auth-int', { username: 'luca', password: 'bla', qop: 'auth-int' }],
      ['/digest-auth/luca/bla/auth', { username: 'luca', password: 'bla', algorithm: 'MD5-sess' }],
      ['/digest-auth/luca/bla/auth', { username: 'luca', password: 'bla', algorithm: 'SHA-256' }],
      ['/digest-auth/luca/bla/auth?x=1&y=%20', { username: 'luca', password: 'bla' }],
      ['/digest-auth', { username: 'username', password: 'password' }],
    ]
    for (const [path, credentials] of cases) {
      const response = await login(path, credentials)
      expect([path, response.status]).toEqual([path, 200])
    }
  })

  it('reads a UTF-8 user name, quoted or as username*', async () => {
    const path = `/digest-auth/${encodeURIComponent('luça')}/bla/auth`
    const extended = await login(path, { username: 'luça', password: 'bla', extended: true })
    expect(await extended.json()).toEqual({ authenticated: true, user: 'luça' })
    // quoted, the name goes out as UTF-8 bytes, as browsers send it (fetch cannot)
    const first = await fetch(`${url}${path}`)
    const challenge = parseChallenge(first.headers.get('www-authenticate'))
    const header = authorization(path, challenge, { username: 'luça', password: 'bla' })
    const request = `GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${header}\r\n\r\n`
    const received = await rawUntil(port, Buffer.from(request, 'utf8'), hasWholeResponse)
    const { status, body } = parseResponse(received)
    expect([status, JSON.parse(Buffer.from(body, 'latin1').toString())]).toEqual([
      200,
      { authenticated: true, user: 'luça' },
    ])
  })

  it('refuses a qop other than the one challenged for', async () => {
    const response = await login('/digest-auth/luca/bla/auth-int', {
      username: 'luca',
      password: 'bla',
      qop: 'auth',
    })
    expect(response.status).toBe(401)
  })

  it('answers credentials for another URL with 400 (RFC 7616 §3.4.6)', async () => {
    const response = await login('/digest-auth/luca/bla/auth', {
      username: 'luca',
      password: 'bla',
      uri: '/digest-auth/luca/bla/auth?other',
    })
    expect(response.status).toBe(400)
    expect(await response.text()).toContain('uri')
  })

  it('refuses a forged nonce, and marks an expired one stale', async () => {
    const path = '/digest-auth/luca/bla/auth'
    const first = await fetch(`${url}${path}`)
    const challenge = parseChallenge(first.headers.get('www-authenticate'))
    const credentials = { username: 'luca', password: 'bla' }
    const forged = { ...challenge, nonce: `${challenge.nonce!.split('.')[0]}.${'0'.repeat(64)}` }
    const withForged = await fetch(`${url}${path}`, {
      headers: { Authorization: authorization(path, forged, credentials) },
    })
    expect(withForged.status).toBe(401)
    expect(parseChallenge(withForged.headers.get('www-authenticate')).stale).toBeUndefined()
    // the same nonce, six minutes later: the server's clock is the one that moves
    const now = Date.now()
    vi.spyOn(Date, 'now').mockReturnValue(now + 6 * 60_000)
    const late = await fetch(`${url}${path}`, {
      headers: { Authorization: authorization(path, challenge, credentials) },
    })
    expect(late.status).toBe(401)
    expect(parseChallenge(late.headers.get('www-authenticate')).stale).toBe('true')
  })

  it('challenges again for a malformed or incomplete Authorization header', async () => {
    const path = '/digest-auth/luca/bla/auth'
    const challenge = parseChallenge((await fetch(`${url}${path}`)).headers.get('www-authenticate'))
    const good = authorization(path, challenge, { username: 'luca', password: 'bla' })
    for (const header of [
      'Digest',
      'Digest garbage',
      'Digest username="luca"',
      good.replace(/, cnonce="[^"]*"/, ''),
      good.replace('qop=auth', 'qop=auth, qop=auth'),
      good.replace('realm="httpbin"', 'realm="httpbin'),
      good.replace('nc=00000001', 'nc=1'),
      good.replace('algorithm=MD5', 'algorithm=MD4'),
      good.replace('realm="httpbin"', 'realm="other"'),
      good + ', extra="unterminated',
      `Basic ${Buffer.from('luca:bla').toString('base64')}`,
    ]) {
      const response = await fetch(`${url}${path}`, { headers: { Authorization: header } })
      expect([header, response.status]).toEqual([header, 401])
    }
    // the good one, to show the others failed for what they changed
    expect((await fetch(`${url}${path}`, { headers: { Authorization: good } })).status).toBe(200)
  })

  it('answers a qop it does not know with 404', async () => {
    expect((await fetch(`${url}/digest-auth/luca/bla/bogus`)).status).toBe(404)
  })
})
