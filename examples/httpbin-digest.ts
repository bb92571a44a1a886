/**
 * HTTP Digest authentication (RFC 7616, which RFC 2617 clients speak too)
 * for httpbin's `/digest-auth/<username>/<password>/<qop>`, as pulsar's
 * `HttpAuthenticate('digest')` and `DigestAuth` do it: a 401 challenge,
 * then the client's response recomputed from the password the URL names.
 * Nonces are signed and dated, so a forged or old one is refused without
 * keeping any state.
 * @module
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { isUtf8 } from 'node:buffer'

import { BadRequest, Http401, type WsgiRequest } from 'pulsar-ts'

/** The realm of every challenge. */
export const REALM = 'httpbin'
/** How long a nonce is good for, in milliseconds. @default 5 minutes */
export const NONCE_LIFETIME = 5 * 60_000

// RFC 7616 §3.7: the algorithms a client may name, and the hash each uses
const ALGORITHMS: Record<string, string> = {
  MD5: 'md5',
  'SHA-256': 'sha256',
  'SHA-512-256': 'sha512-256',
}
// signs the nonces of this process: one made by another worker is refused with a new challenge
const SECRET = randomBytes(32)
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+"
// RFC 9110 §11.2: auth-param = token BWS "=" BWS ( token / quoted-string ), comma separated
const PARAM = new RegExp(
  `[ \\t]*(${TOKEN})[ \\t]*=[ \\t]*(?:"((?:[^"\\\\]|\\\\.)*)"|(${TOKEN}))[ \\t]*(?:,|$)`,
  'y',
)
const REQUIRED = ['realm', 'nonce', 'uri', 'response', 'qop', 'nc', 'cnonce'] as const

/** The parameters of `Authorization: Digest ...`, or `null` when it is absent or malformed. */
export function parseDigest(header = ''): Map<string, string> | null {
  const scheme = /^Digest[ \t]+/i.exec(header)
  if (!scheme) return null
  const params = new Map<string, string>()
  PARAM.lastIndex = scheme[0].length
  while (PARAM.lastIndex < header.length) {
    const param = PARAM.exec(header)
    const name = param?.[1]!.toLowerCase()
    if (!param || !name || params.has(name)) return null
    params.set(name, param[3] ?? param[2]!.replace(/\\(.)/g, '$1'))
  }
  const complete =
    REQUIRED.every((name) => params.has(name)) &&
    (params.has('username') || params.has('username*'))
  return complete ? params : null
}

/** A nonce this process can later recognise: when it was made, and a signature of that. */
function makeNonce(): string {
  const time = Date.now().toString(16)
  return `${time}.${createHmac('sha256', SECRET).update(time).digest('hex')}`
}

/** `'fresh'`, `'stale'` (ours, but too old), or `'forged'`. */
function checkNonce(nonce: string): 'fresh' | 'stale' | 'forged' {
  const [time = '', signature = ''] = nonce.split('.')
  const expected = createHmac('sha256', SECRET).update(time).digest('hex')
  if (
    signature.length !== expected.length ||
    !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))
  )
    return 'forged'
  return Date.now() - parseInt(time, 16) <= NONCE_LIFETIME ? 'fresh' : 'stale'
}

/** The `WWW-Authenticate` value of a challenge for `qop`. */
export function challenge(qop: string, stale = false): string {
  const opaque = randomBytes(16).toString('hex')
  return (
    `Digest realm="${REALM}", qop="${qop}", nonce="${makeNonce()}", opaque="${opaque}", ` +
    `algorithm=MD5, charset=UTF-8${stale ? ', stale=true' : ''}`
  )
}

/**
 * The user name as the client meant it: `username*` (RFC 8187) decoded, or
 * the quoted one read as UTF-8 (node:http gives header bytes as latin1).
 */
function userName(params: Map<string, string>): string | undefined {
  const extended = params.get('username*')
  if (extended !== undefined) {
    const match = /^UTF-8'[^']*'(.*)$/i.exec(extended)
    try {
      return match ? decodeURIComponent(match[1]!) : undefined
    } catch {
      return undefined
    }
  }
  const bytes = Buffer.from(params.get('username')!, 'latin1')
  return isUtf8(bytes) ? bytes.toString() : params.get('username')
}

function equalHex(a: string, b: string): boolean {
  const left = Buffer.from(a.toLowerCase())
  const right = Buffer.from(b.toLowerCase())
  return left.length === right.length && timingSafeEqual(left, right)
}

/**
 * GET /digest-auth/<username>/<password>/<qop>: 200 for a client whose
 * Digest response matches that user and password, else a 401 challenge
 * (`stale=true` when only the nonce was too old); 400 when the credentials
 * are for another URL than the one requested (RFC 7616 §3.4.6).
 */
export async function digestAuth(request: WsgiRequest) {
  const { username, password, qop } = request.urlargs as Record<
    'username' | 'password' | 'qop',
    string
  >
  const params = parseDigest(request.environ.HTTP_AUTHORIZATION)
  if (!params) throw new Http401(challenge(qop))
  const [nonce, uri, nc, cnonce] = ['nonce', 'uri', 'nc', 'cnonce'].map((name) => params.get(name)!)
  if (uri !== request.environ.RAW_URI)
    throw new BadRequest('The Digest uri is not the request target')
  const freshness = checkNonce(nonce!)
  if (freshness !== 'fresh') throw new Http401(challenge(qop, freshness === 'stale'))
  const algorithm = (params.get('algorithm') ?? 'MD5').toUpperCase()
  const session = algorithm.endsWith('-SESS')
  const hash = ALGORITHMS[session ? algorithm.slice(0, -5) : algorithm]
  const user = userName(params)
  const wellFormed = hash && /^[0-9a-f]{8}$/i.test(nc!) && params.get('qop') === qop
  if (!wellFormed || user !== username || params.get('realm') !== REALM)
    throw new Http401(challenge(qop))
  // RFC 7616 §3.4.1: H(data) is the hex digest; its parts are joined with colons
  const H = (data: string | Buffer) => createHash(hash).update(data).digest('hex')
  let ha1 = H(`${user}:${REALM}:${password}`)
  if (session) ha1 = H(`${ha1}:${nonce}:${cnonce}`)
  const body = qop === 'auth-int' ? `:${H(await request.body())}` : ''
  const ha2 = H(`${request.method}:${uri}${body}`)
  const expected = H(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
  if (!equalHex(params.get('response')!, expected)) throw new Http401(challenge(qop))
  return { authenticated: true, user }
}
