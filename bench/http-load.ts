/**
 * HTTP/1.1 suites: autocannon loads each server from the bench's process,
 * and counts every response whose status is not 2xx or whose body is not
 * the expected one as a failure.
 */
import { request } from 'node:http'

import autocannon from 'autocannon'

import type { Load, Suite } from './lib.js'
import type { ServerProcess } from './process.js'
import type { Target } from './report.js'

export interface Response {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}

export interface MeasureOptions extends Omit<autocannon.Options, 'url'> {
  path?: string
}

/** One plain request (a GET unless the load says otherwise), to check what a server answers before loading it. */
export function get(
  url: string,
  path = '/',
  load: Pick<MeasureOptions, 'method' | 'headers' | 'body'> = {},
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const { method = 'GET', headers = {}, body } = load
    // no agent: a pooled keep-alive socket would outlive the check
    const req = request(new URL(path, url), { agent: false, method, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

/** One autocannon run from this process; throws unless every response was a 2xx with the expected body. */
export async function measure(url: string, options: MeasureOptions): Promise<Load> {
  const { path = '/', ...rest } = options
  const client = process.cpuUsage()
  const result = await new Promise<autocannon.Result>((resolve, reject) =>
    autocannon({ pipelining: 1, ...rest, url: new URL(path, url).href }, (error, value) =>
      error ? reject(error) : resolve(value),
    ),
  )
  const { user, system } = process.cpuUsage(client)
  const { errors, timeouts, non2xx, mismatches } = result
  const total = result.requests.total
  if (errors || timeouts || non2xx || mismatches || total === 0)
    throw new Error(
      `${url}: ${total} responses, ${non2xx} non-2xx, ${errors} errors, ` +
        `${timeouts} timeouts, ${mismatches} unexpected bodies; status codes ${JSON.stringify(result.statusCodeStats)}`,
    )
  return {
    count: total,
    seconds: result.duration,
    p99: result.latency.p99,
    bytes: result.throughput.total / total,
    clientCpu: user + system,
  }
}

/**
 * A `check` that every server must give this exact answer: status 200,
 * these headers (`undefined`: absent), this body.
 */
export function answers(
  headers: Record<string, string | undefined>,
  body: string,
): HttpSuite['check'] {
  return (name, response) => {
    const show = (value: unknown) => JSON.stringify(value) ?? 'none'
    const problems = [
      response.status === 200 ? '' : `status ${response.status}`,
      ...Object.entries(headers).map(([header, value]) =>
        response.headers[header] === value ? '' : `${header} ${show(response.headers[header])}`,
      ),
      response.body.toString() === body ? '' : `body ${show(response.body.toString())}`,
    ].filter(Boolean)
    if (problems.length)
      throw new Error(`${name} does not answer like the others: ${problems.join(', ')}`)
  }
}

/** An HTTP suite as its file writes it. */
export interface HttpSuite {
  title: string
  servers: Record<string, string>
  connections?: number
  /** What to ask; `expectBody` (or `verifyBody`) makes autocannon count every other body as a failure. */
  load: MeasureOptions
  /** Throws if a server's answer is not the one every server must give. */
  check: (name: string, response: Response) => void
  targets: Target[]
}

/** The suite the runner takes: one checked request, then autocannon runs. */
export function httpSuite(spec: HttpSuite): Suite {
  const { load, check, ...rest } = spec
  return {
    ...rest,
    unit: 'req',
    loader: 'autocannon in the bench process, pipelining 1, every body checked',
    check: async (server: ServerProcess) =>
      check(server.name, await get(server.url, load.path, load)),
    load: (server, seconds, connections) =>
      measure(server.url, { ...load, duration: seconds, connections }),
  }
}
