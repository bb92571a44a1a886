/**
 * The real curl speaking HTTP/2 to the httpbin example started as a program
 * (`npm start`'s script): h2 over TLS, chosen by ALPN beside HTTP/1.1, and
 * h2c with prior knowledge, HTTP/1.1 still served on the same port.
 */
import { execFile } from 'node:child_process'

import { describe, expect, it } from 'vitest'

import { HANG_MS, listening, run } from '../helpers/process.js'
import { testCertificate } from '../helpers/tls.js'

/** What curl received: the body, and what `-w` told of the exchange. */
interface Curled {
  body: string
  version: string
  status: number
  /** Where a redirect points, resolved. */
  location: string
}

// written after the body: the protocol curl used, the status and where a redirect points
const WRITE_OUT = '\n%{http_version} %{response_code} %{redirect_url}'

/** Runs curl with `args` (and `input` on its stdin), failing on any error of curl's own. */
function curl(args: string[], input?: string): Promise<Curled> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'curl',
      ['--silent', '--show-error', '--max-time', String(HANG_MS / 1000), '-w', WRITE_OUT, ...args],
      { timeout: HANG_MS },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`curl ${args.join(' ')}: ${stderr || error.message}`))
        const end = stdout.lastIndexOf('\n')
        const [version, status, location] = stdout.slice(end + 1).split(' ')
        resolve({
          body: stdout.slice(0, end),
          version: version!,
          status: Number(status),
          location: location!,
        })
      },
    )
    child.stdin!.end(input)
  })
}

const json = (curled: Curled) => JSON.parse(curled.body) as Record<string, unknown>

const modes = [
  {
    name: 'h2 over TLS',
    server: () => {
      const { key_file, cert_file } = testCertificate()
      return ['--http2', '--key-file', key_file, '--cert-file', cert_file]
    },
    // -k: the test certificate is self-signed
    http2: ['--http2', '-k'],
    http1: ['--http1.1', '-k'],
  },
  {
    name: 'h2c',
    server: () => ['--http2', 'h2c'],
    http2: ['--http2-prior-knowledge'],
    http1: ['--http1.1'],
  },
]

describe.each(modes)('curl against httpbin, $name', { timeout: 4 * HANG_MS }, (mode) => {
  it('gets the answers over HTTP/2, and over HTTP/1.1 on the same port', async () => {
    const httpbin = run(['examples/httpbin.ts', '--bind', '127.0.0.1:0', ...mode.server()])
    const url = await listening(httpbin)
    const h2 = (...args: string[]) => [...mode.http2, ...args]

    const get = await curl(h2(`${url}/get?a=1&b=2&b=3`, '-H', 'X-Test: yes'))
    expect([get.version, get.status]).toEqual(['2', 200])
    const echoed = json(get)
    expect(echoed).toMatchObject({
      method: 'GET',
      args: { a: '1', b: ['2', '3'] },
      origin: '127.0.0.1',
      url: `${url}/get?a=1&b=2&b=3`,
    })
    // :authority is the Host the application sees
    expect(echoed.headers).toMatchObject({ Host: new URL(url).host, 'X-Test': 'yes' })

    const post = await curl(
      h2(`${url}/post`, '-H', 'Content-Type: application/json', '-d', '{"nested":[1,[2,3]]}'),
    )
    expect(post.version).toBe('2')
    expect(json(post)).toMatchObject({ method: 'POST', json: { nested: [1, [2, 3]] } })

    // uploaded from stdin (-T -), the body has no content-length: it ends with the stream
    const form = 'numero=1&numero=2&name=pulsar'
    const piped = await curl(
      h2(
        `${url}/post`,
        '-X',
        'POST',
        '-H',
        'Content-Type: application/x-www-form-urlencoded',
        '-T',
        '-',
      ),
      form,
    )
    expect(piped.version).toBe('2')
    expect(json(piped)).toMatchObject({ form: { numero: ['1', '2'], name: 'pulsar' } })

    const streamed = await curl(h2(`${url}/stream/3000/10`))
    expect([streamed.version, streamed.status]).toEqual(['2', 200])
    expect(streamed.body).toBe('a'.repeat(30_000))

    // not followed with -L: Debian's curl 7.88 cannot reuse an h2c connection (curl/curl#10634)
    const redirected = await curl(h2(`${url}/redirect/3`))
    expect([redirected.version, redirected.status]).toEqual(['2', 302])
    expect(redirected.location).toBe(`${url}/redirect/2`)

    const http1 = await curl([...mode.http1, `${url}/get`])
    expect([http1.version, http1.status]).toEqual(['1.1', 200])
    expect(json(http1).url).toBe(`${url}/get`)
  })
})
