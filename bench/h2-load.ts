/**
 * HTTP/2 suites: h2load (Debian's nghttp2-client, a C load generator) over
 * cleartext HTTP/2 with prior knowledge. h2load does not show bodies, so
 * every run is checked by its counts: no request failed, every answer 2xx,
 * and exactly `bodyBytes` of DATA per answer. One answer is read in full
 * with node:http2's client before loading.
 */
import { execFile } from 'node:child_process'
import { connect } from 'node:http2'

import type { Load } from './lib.js'
import type { ServerProcess } from './process.js'

/** One GET / with node:http2's client: throws unless it is 200 text/plain `hello`. */
export function checkHello(server: ServerProcess, hello: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const session = connect(server.url)
    session.on('error', reject)
    const stream = session.request({ ':path': '/' })
    const chunks: Buffer[] = []
    let headers: Record<string, unknown> = {}
    stream.on('response', (received) => (headers = received))
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('error', reject)
    stream.on('end', () => {
      session.close()
      const body = Buffer.concat(chunks).toString()
      const status = headers[':status']
      const type = headers['content-type']
      if (status === 200 && type === 'text/plain' && body === hello) resolve()
      else
        reject(
          new Error(
            `${server.name} answered ${String(status)} ${String(type)} ${JSON.stringify(body)}`,
          ),
        )
    })
  })
}

const number = (output: string, pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? Number.NaN)

/** h2load for `seconds` (whole seconds: h2load takes no fraction), `connections` x `streams` requests in flight. */
export function h2load(
  server: ServerProcess,
  seconds: number,
  connections: number,
  streams: number,
  bodyBytes: number,
): Promise<Load> {
  const duration = String(Math.max(1, Math.round(seconds)))
  const args = ['-c', String(connections), '-m', String(streams), '-D', duration, `${server.url}/`]
  return new Promise((resolve, reject) => {
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
  })
}
