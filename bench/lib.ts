/**
 * What every benchmark suite shares: the settings, interleaved rounds over
 * server processes, and what is measured around each run (server CPU, heap
 * bytes allocated, RSS). A suite (bench/suites/) only says which servers to
 * compare, how to check and load them, and which ratios are targets.
 */
import { cpus } from 'node:os'

import { type ServerProcess, startServer } from './process.js'
import { type Target, report } from './report.js'

export interface Settings {
  /** Seconds per measured run (BENCH_DURATION, default 4). */
  duration: number
  /** Connections of every suite (BENCH_CONNECTIONS), else each suite's own (50 by default). */
  connections: number | undefined
  /** Measured runs per server (BENCH_ROUNDS, default 5). */
  rounds: number
  /** Seconds of load before measuring, for the JIT and the pools to settle (BENCH_WARMUP, default 2). */
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
  const connections = envNumber('BENCH_CONNECTIONS', Number.NaN, true)
  return {
    duration: envNumber('BENCH_DURATION', 4),
    connections: Number.isNaN(connections) ? undefined : connections,
    rounds: envNumber('BENCH_ROUNDS', 5, true),
    warmup: envNumber('BENCH_WARMUP', 2),
    build: process.env.BENCH_SRC !== '1',
  }
}

/** What one load run did, as its load generator saw it. */
export interface Load {
  /** Requests (or round trips) answered, every one checked. */
  count: number
  seconds: number
  /** Milliseconds, when the load generator measures it. */
  p99?: number
  /** Bytes on the wire per response, head included, when the load generator counts them. */
  bytes?: number
  /** CPU microseconds the load generator spent, when known: shows whether it, not the server, set the pace. */
  clientCpu?: number
}

/** One measured run of one server. */
export interface Sample {
  /** Requests (or round trips) per second. */
  rate: number
  p99: number
  bytes: number
  /** Server CPU microseconds per request: what a request costs the server, steadier than the rate. */
  cpu: number
  /** Bytes the server allocated on its JavaScript heap per request (bench/servers/allocation.ts). */
  alloc: number
  /** The server's resident set size right after the run, in bytes. */
  rss: number
  /** The load generator's CPU microseconds per request (NaN: not known). */
  client: number
}

export interface Row {
  name: string
  samples: Sample[]
  /** The server's resident set size once started, before any load: what its code and setup hold. */
  rssAtStart: number
}

export interface Suite {
  title: string
  /** What one unit of load is called: 'req', 'trip'. */
  unit: string
  /** How the load is made, for the header: 'autocannon, pipelining 1'. */
  loader: string
  /** Server name -> file under bench/servers/ and its arguments; the first is the baseline (ratio 1.00). */
  servers: Record<string, string>
  /** Connections unless BENCH_CONNECTIONS says otherwise. @default 50 */
  connections?: number
  /** Throws unless the server answers exactly what every server must. */
  check(server: ServerProcess): Promise<void>
  /** Loads the server for `seconds` and throws unless every answer was the expected one. */
  load(server: ServerProcess, seconds: number, connections: number): Promise<Load>
  targets: Target[]
}

/** One measured run: the load, with the server's CPU and allocation counted around it. */
async function sample(suite: Suite, server: ServerProcess, seconds: number, connections: number) {
  const cpuBefore = await server.cpu()
  await server.startAllocation()
  const load = await suite.load(server, seconds, connections)
  const allocated = await server.stopAllocation()
  const cpu = (await server.cpu()) - cpuBefore
  const { rss } = await server.memory()
  return {
    rate: load.count / load.seconds,
    p99: load.p99 ?? Number.NaN,
    bytes: load.bytes ?? Number.NaN,
    cpu: cpu / load.count,
    alloc: allocated / load.count,
    rss,
    client: (load.clientCpu ?? Number.NaN) / load.count,
  }
}

/**
 * Starts the suite's servers, checks and warms each, then measures them in
 * interleaved rounds, rotating the order each round so no server always runs
 * first, or always last, while the machine drifts.
 */
export async function runSuite(suite: Suite, options: Settings = settings()): Promise<Row[]> {
  const names = Object.keys(suite.servers)
  const connections = options.connections ?? suite.connections ?? 50
  const servers: ServerProcess[] = []
  try {
    for (const name of names)
      servers.push(await startServer(name, suite.servers[name]!, options.build))
    const rows: Row[] = []
    for (const server of servers) {
      rows.push({ name: server.name, samples: [], rssAtStart: (await server.memory()).rss })
      await suite.check(server)
      await suite.load(server, options.warmup, connections)
    }
    for (let round = 0; round < options.rounds; round++) {
      const order = servers.map((_, i) => (i + round) % servers.length)
      const line: string[] = []
      for (const i of order) {
        const measured = await sample(suite, servers[i]!, options.duration, connections)
        rows[i]!.samples.push(measured)
        line.push(`${servers[i]!.name} ${Math.round(measured.rate)}`)
      }
      console.log(`  round ${round + 1}/${options.rounds}: ${line.join(', ')} ${suite.unit}/s`)
    }
    return rows
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
  }
}

export function header(suite: Suite, options: Settings): void {
  const connections = options.connections ?? suite.connections ?? 50
  console.log(`\n${suite.title}`)
  console.log(
    `node ${process.version}, ${cpus().length} CPUs, ${connections} connections, ${suite.loader}, ` +
      `${options.rounds} rounds of ${options.duration}s per server (after ${options.warmup}s warm-up)`,
  )
  console.log(
    options.build
      ? 'pulsar-ts from dist/, as users run it'
      : 'pulsar-ts from src/ through tsx (BENCH_SRC=1), which costs it per-request work',
  )
}

/** Runs a suite and prints its table and targets; whether every target was met. */
export async function runAndReport(suite: Suite, options: Settings): Promise<boolean> {
  header(suite, options)
  return report(await runSuite(suite, options), suite.unit, suite.targets)
}
