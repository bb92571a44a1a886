/**
 * WebSocket: echo round trips per second on many connections, and the
 * server's memory per idle socket, through pulsar-ts (examples/websocket.ts's
 * Echo on a WebSocket route in a WsgiHandler) against raw ws on node:http.
 * autocannon speaks HTTP only: bench/ws-load.ts is the load client.
 *
 *     npm run bench -- websocket
 *     BENCH_WS_IDLE=10000 BENCH_WS_CONNECTIONS=100 npm run bench -- websocket
 */
import { cpus } from 'node:os'

import { type ServerProcess, type Settings, median, startServer } from '../lib.js'
import { type IdleCost, echoRate, idleCost } from '../ws-load.js'

const SERVERS = { raw: 'websocket-raw.ts', wsgi: 'websocket-wsgi.ts' }
const MESSAGE = 'Hello World! '.repeat(4)
const THROUGHPUT_TARGET = 0.95
const MEMORY_TARGET = 1.1

function envInteger(name: string, fallback: number): number {
  const raw = process.env[name]
  const value = raw === undefined || raw === '' ? fallback : Number(raw)
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, not ${raw}`)
  return value
}

interface Row {
  name: string
  rates: number[]
  /** Server CPU microseconds per round trip. */
  cpu: number[]
  idle: IdleCost[]
}

/** A suite that runs and reports itself, since autocannon cannot load WebSockets. */
export const websocket = {
  title: 'WebSocket: echo round trips/s, and server memory per idle socket',

  async run(options: Settings): Promise<boolean> {
    const connections = envInteger('BENCH_WS_CONNECTIONS', 100)
    const idleSockets = envInteger('BENCH_WS_IDLE', 10_000)
    console.log(`\n${this.title}`)
    console.log(
      `node ${process.version}, ${cpus().length} CPUs; echo: ${connections} connections, ` +
        `${MESSAGE.length}-byte text, ${options.rounds} rounds of ${options.duration}s per server ` +
        `(after ${options.warmup}s warm-up); idle: ${idleSockets} sockets per round`,
    )
    const servers: ServerProcess[] = []
    try {
      for (const [name, file] of Object.entries(SERVERS))
        servers.push(await startServer(name, file, options.build))
      for (const server of servers)
        await echoRate(server.url, '/echo', connections, options.warmup, MESSAGE)
      const rows: Row[] = servers.map((server) => ({
        name: server.name,
        rates: [],
        cpu: [],
        idle: [],
      }))
      for (let round = 0; round < options.rounds; round++) {
        const line: string[] = []
        for (let k = 0; k < servers.length; k++) {
          const i = (k + round) % servers.length
          const server = servers[i]!
          const row = rows[i]!
          const cpuBefore = await server.cpu()
          const rate = await echoRate(server.url, '/echo', connections, options.duration, MESSAGE)
          row.cpu.push((await server.cpu()) - cpuBefore) // per round trip below
          row.cpu[row.cpu.length - 1]! /= rate * options.duration
          row.rates.push(rate)
          const idle = await idleCost(server.url, '/echo', idleSockets)
          row.idle.push(idle)
          line.push(`${server.name} ${Math.round(rate)} trips/s ${Math.round(idle.heap)} B/socket`)
        }
        console.log(`  round ${round + 1}/${options.rounds}: ${line.join(', ')}`)
      }
      return report(rows)
    } finally {
      await Promise.all(servers.map((server) => server.stop()))
    }
  },
}

function report(rows: Row[]): boolean {
  const [raw, wsgi] = rows as [Row, Row]
  const rate = (row: Row) => median(row.rates)
  const heap = (row: Row) => median(row.idle.map((idle) => idle.heap))
  // RSS only grows: after the first round, freed memory is reused and the growth shrinks
  const rss = (row: Row) => row.idle[0]!.rss
  console.log()
  console.table(
    rows.map((row) => ({
      server: row.name,
      'trips/s': Math.round(rate(row)),
      'x raw': (rate(row) / rate(raw)).toFixed(2),
      'cpu µs/trip': median(row.cpu).toFixed(1),
      'heap B/idle socket': Math.round(heap(row)),
      'x raw heap': (heap(row) / heap(raw)).toFixed(2),
      'rss B/idle socket (round 1)': Math.round(rss(row)),
    })),
  )
  const throughput = rate(wsgi) / rate(raw)
  const memory = heap(wsgi) / heap(raw)
  const throughputMet = throughput >= THROUGHPUT_TARGET
  const memoryMet = memory <= MEMORY_TARGET
  console.log(
    `wsgi / raw = ${throughput.toFixed(2)} trips/s (target >= ${THROUGHPUT_TARGET})${throughputMet ? '' : '  MISSED'}`,
  )
  console.log(
    `wsgi / raw = ${memory.toFixed(2)} heap bytes per idle socket (target <= ${MEMORY_TARGET})${memoryMet ? '' : '  MISSED'}`,
  )
  return throughputMet && memoryMet
}
