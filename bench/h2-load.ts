/**
 * HTTP/2 suites: h2load (Debian's nghttp2-client, a C load generator) over
 * cleartext HTTP/2 with prior knowledge. h2load does not show bodies, so
 * every run is checked by its counts: no request failed, every answer 2xx,
 * and exactly the expected reply's bytes of DATA per answer. One answer is
 * read in full with node:http2's client before loading, and must be the
 * expected one, byte for byte.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:http2'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import type { Load, Suite } from './lib.js'
import type { ServerProcess } from './process.js'
import type { Target } from './report.js'

/** What every server of an HTTP/2 suite is asked. */
export interface H2Request {
  /** @default '/' */
  path?: string
  /** A POST of this body when given, else a GET. */
  body?: string
  /** Request headers, lower case. */
  headers?: Record<string, string>
}

/** The answer every server must give: status 200, this content type and these bytes. */
export interface H2Reply {
  contentType: string
  body: string
}

/** An HTTP/2 suite as its file writes it. */
export interface H2Suite {
  title: string
  servers: Record<string, string>
  request: H2Request
  reply: H2Reply
  targets: Target[]
}

// h2load's load: 10 connections with 10 streams in flight on each, 100 in all
const CONNECTIONS = 10
const STREAMS = 10

/** The suite the runner takes: one checked answer, then h2load runs. */
export function h2Suite(spec: H2Suite): Suite {
  const { request, reply, ...rest } = spec
  return {
    ...rest,
    unit: 'req',
    loader: `h2load, ${STREAMS} streams per connection, every status and the body bytes checked`,
    connections: CONNECTIONS,
    check: (server) => check(server, request, reply),
    load: (server, seconds, connections) =>
      h2load(server, seconds, connections, request, Buffer.byteLength(reply.body)),
  }
}

/** One request with node:http2's client: throws unless the answer is `reply`. */
function check(server: ServerProcess, request: H2Request, reply: H2Reply): Promise<void> {
  return new Promise((resolve, reject) => {
    const session = connect(server.url)
    session.on('error', reject)
    const { path = '/', body, headers = {} } = request
    const stream = session.request(
      { ...headers, ':path': path, ':method': body === undefined ? 'GET' : 'POST' },
      { endStream: body === undefined },
    )
    const chunks: Buffer[] = []
    let head: Record<string, unknown> = {}
    stream.on('response', (received) => (head = received))
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('error', reject)
    stream.on('end', () => {
      session.close()
      const received = Buffer.concat(chunks).toString()
      const status = head[':status']
      const type = head['content-type']
      if (status === 200 && type === reply.contentType && received === reply.body) resolve()
      else
        reject(
          new Error(
            `${server.name} answered ${String(status)} ${String(type)} ${JSON.stringify(received)}`,
          ),
        )
    })
    if (body !== undefined) stream.end(body)
  })
}

const number = (output: string, pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? Number.NaN)

/**
 * h2load for `seconds` (whole seconds: h2load takes no fraction), `connections` x
 * STREAMS requests in flight; a body is posted from a file, h2load's way.
 */
function h2load(
  server: ServerProcess,
  seconds: number,
  connections: number,
  request: H2Request,
  bodyBytes: number,
): Promise<Load> {
  const duration = String(Math.max(1, Math.round(seconds)))
  const { path = '/', body, headers = {} } = request
  const args = ['-c', String(connections), '-m', String(STREAMS), '-D', duration]
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`)
  const dir = body === undefined ? undefined : mkdtempSync(join(tmpdir(), 'pulsar-h2load-'))
  if (dir) {
    writeFileSync(join(dir, 'body'), body!)
    args.push('-d', join(dir, 'body'))
  }
  args.push(`${server.url}${path}`)
  return new Promise<Load>((resolve, reject) => {
    execFile('h2load', args, { timeout: (seconds + 30) * 1000 }, (error, output, stderr) => {
      if (error)
        return reject(
          new Error(
            `h2load on ${server.name} failed (is nghttp2-client installed?): ${stderr || error.message}`,
          ),
        )
      const done = number(output, / (\d+) done,/)
      const succeeded = number(output, / (\d+) succeeded,/)
      const failed = number(output, / (\d+) failed, (\d+) errored, (\d+) timeout/)
      // the status and traffic counts include the answers that came in after the measured time
      const [ok = 0, ...others] = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/
        .exec(output)
        ?.slice(1)
        .map(Number) ?? [Number.NaN]
      const data = number(output, /traffic: .*\((\d+)\) data/)
      const elapsed = number(output, /finished in ([\d.]+)s,/)
      const problems =
        !(done > 0) ||
        succeeded !== done ||
        failed !== 0 ||
        others.some(Boolean) ||
        ok < done ||
        data !== ok * bodyBytes
      if (problems)
        return reject(
          new Error(
            `h2load on ${server.name}: ${done} done, ${succeeded} succeeded, ${ok} 2xx, ` +
              `${data} body bytes (expected ${ok * bodyBytes})\n${output}`,
          ),
        )
      resolve({ count: done, seconds: elapsed })
    })
  }).finally(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })
}
