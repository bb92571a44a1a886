/**
 * What every benchmark suite shares: server processes, autocannon runs,
 * interleaved rounds, and the report. A suite (bench/suites/) only says which
 * servers to compare, what to ask them, and which ratios are targets.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { existsSync } from 'node:fs'
import { request } from 'node:http'
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'

import autocannon from 'autocannon'

/** Traffic only ever goes to the loopback address the servers bind. */
const HOST = '127.0.0.1'

export interface Settings {
  /** Seconds per measured run. */
  duration: number
  connections: number
  rounds: number
  /** Seconds of load before measuring, for the JIT and the pools to settle. */
  warmup: number
  /**
   * Serve pulsar-ts from dist/ (built by `npm run bench`), as users run it,
   * rather than from src/ through tsx (BENCH_SRC=1), whose esbuild transform
   * adds per-request work of its own (`keepNames` wraps arrow functions in a
   * `__name()` call).
   */
  build: boolean
}

/** A positive number (an integer when `integer`) from the environment variable `name`, else `fallback`. */
export function envNumber(name: string, fallback: number, integer = false): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value)))
    throw new Error(`${name} must be a positive ${integer ? 'integer' : 'number'}, not ${raw}`)
  return value
}

/** The defaults make a four-server suite take about 1.5 minutes. */
export function settings(): Settings {
  return {
    duration: envNumber('BENCH_DURATION', 4),
    connections: envNumber('BENCH_CONNECTIONS', 50, true),
    rounds: envNumber('BENCH_ROUNDS', 5, true),
    warmup: envNumber('BENCH_WARMUP', 2),
    build: process.env.BENCH_SRC !== '1',
  }
}

export interface ServerProcess {
  name: string
  url: string
  /** CPU microseconds the server process has used so far. */
  cpu(): Promise<number>
  stop(): Promise<void>
}

function askCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const answer = (message: { cpu?: unknown }) => {
      if (typeof message.cpu !== 'number') return
      child.off('message', answer)
      resolve(message.cpu)
    }
    child.on('message', answer)
    child.send('cpu')
  })
}

/**
 * Forks a server file from bench/servers/ (a child process, so the load
 * generator never shares its event loop), with arguments after its name
 * (`'workers.ts --workers 2'`), and waits for the port it reports.
 */
export function startServer(name: string, spec: string, build = false): Promise<ServerProcess> {
  const [file = '', ...args] = spec.split(' ')
  const path = fileURLToPath(new URL(`servers/${file}`, import.meta.url))
  const env = { ...process.env }
  if (build) {
    if (!existsSync(new URL('../dist/index.js', import.meta.url)))
      return Promise.reject(new Error('the bench serves dist/: run `npm run build` first'))
    env.TSX_TSCONFIG_PATH = fileURLToPath(new URL('tsconfig.dist.json', import.meta.url))
  }
  // tsx as a loader, whatever started the parent, so the child runs TypeScript
  const child = fork(path, args, { execArgv: ['--import', 'tsx'], stdio: 'inherit', env })
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => {
      child.kill()
      reject(error)
    }
    const exited = (code: number | null) =>
      failed(new Error(`${name} (${file}) exited with ${code} before listening`))
    child.once('error', failed)
    child.once('exit', exited)
    child.once('message', (message: { port?: unknown }) => {
      child.off('exit', exited)
      if (typeof message.port !== 'number')
        return failed(new Error(`${name} sent ${JSON.stringify(message)}`))
      resolve({
        name,
        url: `http://${HOST}:${message.port}`,
        cpu: () => askCpu(child),
        stop: () => stopChild(child),
      })
    })
  })
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

export interface Response {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: Buffer
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

export interface MeasureOptions extends Omit<autocannon.Options, 'url'> {
  path?: string
}

export interface Sample {
  rps: number
  /** Milliseconds. */
  p99: number
  /** Bytes on the wire per response, head included: shows when servers do not send the same thing. */
  bytes: number
  /**
   * Server CPU microseconds per response: what a request costs the server,
   * steadier than req/s when the load generator shares the machine.
   */
  cpu: number
}

/** One autocannon run from this process; throws unless every response was a 2xx with the expected body. */
export async function measure(
  server: ServerProcess,
  options: MeasureOptions = {},
): Promise<Sample> {
  const url = server.url
  const { path = '/', ...rest } = options
  const cpuBefore = await server.cpu()
  const result = await new Promise<autocannon.Result>((resolve, reject) =>
    autocannon({ pipelining: 1, ...rest, url: new URL(path, url).href }, (error, value) =>
      error ? reject(error) : resolve(value),
    ),
  )
  const cpu = (await server.cpu()) - cpuBefore
  const { errors, timeouts, non2xx, mismatches } = result
  if (errors || timeouts || non2xx || mismatches || result.requests.total === 0)
    throw new Error(
      `${url}: ${result.requests.total} responses, ${non2xx} non-2xx, ${errors} errors, ` +
        `${timeouts} timeouts, ${mismatches} unexpected bodies; status codes ${JSON.stringify(result.statusCodeStats)}`,
    )
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    bytes: result.throughput.total / result.requests.total,
    cpu: cpu / result.requests.total,
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

export interface Row {
  name: string
  samples: Sample[]
}

/**
 * A `check` that every server must give this exact answer: status 200,
 * these headers (`undefined`: absent), this body.
 */
export function answers(headers: Record<string, string | undefined>, body: string): Suite['check'] {
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

/** `[numerator, denominator, minimum]`: e.g. `['wsgi', 'raw', 0.95]`. */
export type Target = [string, string, number]

export interface Suite {
  title: string
  /** Server name -> file under bench/servers/ and its arguments; the first is the baseline (ratio 1.00). */
  servers: Record<string, string>
  /** What to ask; `expectBody` makes autocannon count every other body as a failure. */
  load: MeasureOptions
  /** Throws if a server's answer is not the one every server must give. */
  check: (name: string, response: Response) => void
  targets: Target[]
}

/**
 * Starts the suite's servers, checks and warms each, then measures them in
 * interleaved rounds, rotating the order each round so no server always runs
 * first, or always last, while the machine drifts.
 */
export async function runSuite(suite: Suite, options: Settings = settings()): Promise<Row[]> {
  const names = Object.keys(suite.servers)
  const servers: ServerProcess[] = []
  try {
    for (const name of names)
      servers.push(await startServer(name, suite.servers[name]!, options.build))
    const load = { ...suite.load, connections: options.connections }
    for (const server of servers) {
      suite.check(server.name, await get(server.url, suite.load.path, suite.load))
      await measure(server, { ...load, duration: options.warmup })
    }
    const rows: Row[] = servers.map((server) => ({ name: server.name, samples: [] }))
    for (let round = 0; round < options.rounds; round++) {
      const order = servers.map((_, i) => (i + round) % servers.length)
      const line: string[] = []
      for (const i of order) {
        const sample = await measure(servers[i]!, { ...load, duration: options.duration })
        rows[i]!.samples.push(sample)
        line.push(`${servers[i]!.name} ${Math.round(sample.rps)}`)
      }
      console.log(`  round ${round + 1}/${options.rounds}: ${line.join(', ')} req/s`)
    }
    return rows
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
  }
}

export function header(suite: Suite, options: Settings): void {
  console.log(`\n${suite.title}`)
  console.log(
    `node ${process.version}, ${cpus().length} CPUs, ${options.connections} connections, pipelining 1, ` +
      `${options.rounds} rounds of ${options.duration}s per server (after ${options.warmup}s warm-up)`,
  )
  console.log(
    options.build
      ? 'pulsar-ts from dist/, as users run it'
      : 'pulsar-ts from src/ through tsx (BENCH_SRC=1), which costs it per-request work',
  )
}

/** The table: median req/s and p99 across rounds, and each server's ratio to the first (the baseline). */
export function report(rows: Row[], targets: Target[] = []): boolean {
  const rps = new Map(rows.map((row) => [row.name, median(row.samples.map((s) => s.rps))]))
  const baseline = rps.get(rows[0]!.name)!
  const cpu = new Map(rows.map((row) => [row.name, median(row.samples.map((s) => s.cpu))]))
  const table = rows.map((row) => ({
    server: row.name,
    'req/s': Math.round(rps.get(row.name)!),
    'p99 ms': median(row.samples.map((s) => s.p99)),
    [`x ${rows[0]!.name}`]: (rps.get(row.name)! / baseline).toFixed(2),
    'bytes/resp': Math.round(median(row.samples.map((s) => s.bytes))),
    'cpu µs/req': cpu.get(row.name)!.toFixed(1),
    [`cost x ${rows[0]!.name}`]: (cpu.get(row.name)! / cpu.get(rows[0]!.name)!).toFixed(2),
  }))
  console.log()
  console.table(table)
  let met = true
  for (const [numerator, denominator, minimum] of targets) {
    const ratio = rps.get(numerator)! / rps.get(denominator)!
    const ok = ratio >= minimum
    met &&= ok
    const efficiency = cpu.get(denominator)! / cpu.get(numerator)!
    console.log(
      `${numerator} / ${denominator} = ${ratio.toFixed(2)} req/s (target >= ${minimum.toFixed(2)})${ok ? '' : '  MISSED'}` +
        `; ${efficiency.toFixed(2)} by server CPU per request`,
    )
  }
  console.log(
    'Absolute numbers drift between runs, more so on shared 2-core machines (server and load generator\n' +
      'compete for the cores): compare the ratios, which come from the same interleaved rounds.',
  )
  return met
}
