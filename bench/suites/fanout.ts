/**
 * Fan-out: one message published to 1 000 subscribed WebSockets, and the
 * time until the last one has it, through pulsar-ts's PubSubWS on each
 * backend (memory, cluster with 2 workers, Redis), raw ws looping over its
 * clients (the ceiling of one process), and socket.io's `io.emit`.
 * The suite starts its own redis-server (Debian's package).
 *
 *     npm run bench -- fanout
 *     BENCH_FANOUT_SOCKETS=1000 BENCH_FANOUT_MESSAGES=20 npm run bench -- fanout
 */
import { cpus } from 'node:os'

import type { WebSocket } from 'ws'

import { type RedisServer, startRedisServer } from '../../test/helpers/redis-server.js'
import { type Protocol, fanOut, plainSocket, socketIo, subscribers } from '../fanout-load.js'
import { type Settings, envNumber } from '../lib.js'
import { type ServerProcess, startServer } from '../process.js'
import { median } from '../report.js'
import { closeAll } from '../ws-load.js'

interface Contender {
  name: string
  spec: string
  protocol: Protocol
}

interface Row {
  name: string
  /** Milliseconds from the publish request to the last delivery, one per message. */
  times: number[]
  /** Server CPU microseconds per message fanned out. */
  cpu: number[]
}

function contenders(redis: RedisServer): Contender[] {
  return [
    { name: 'raw ws', spec: 'fanout-raw.ts', protocol: plainSocket },
    { name: 'memory', spec: 'fanout-pulsar.ts', protocol: plainSocket },
    { name: 'cluster', spec: 'fanout-pulsar.ts --workers 2', protocol: plainSocket },
    { name: 'redis', spec: `fanout-pulsar.ts --pubsub ${redis.url}`, protocol: plainSocket },
    { name: 'socket.io', spec: 'fanout-socketio.ts', protocol: socketIo },
  ]
}

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
}

/** A suite that runs and reports itself: the load is WebSocket subscribers, not HTTP requests. */
export const fanout = {
  title: 'Fan-out: one message to 1 000 subscribed WebSockets, time to the last delivery',

  async run(options: Settings): Promise<boolean> {
    const count = envNumber('BENCH_FANOUT_SOCKETS', 1000, true)
    const messages = envNumber('BENCH_FANOUT_MESSAGES', 20, true)
    console.log(`\n${this.title}`)
    console.log(
      `node ${process.version}, ${cpus().length} CPUs; ${count} sockets per server, ` +
        `${options.rounds} rounds of ${messages} messages per server, one at a time`,
    )
    const redis = await startRedisServer()
    const servers: ServerProcess[] = []
    const sockets: WebSocket[][] = []
    try {
      const all = contenders(redis)
      for (const contender of all) {
        const server = await startServer(contender.name, contender.spec, options.build)
        servers.push(server)
        sockets.push(await subscribers(server.url, contender.protocol, count))
      }
      let id = 0
      const message = () => JSON.stringify({ message: `hello #${++id}`, time: Date.now() })
      // warm-up: the JIT, and (cluster, redis) every worker's subscription in place
      for (const [i, contender] of all.entries())
        for (let k = 0; k < messages; k++)
          await fanOut(servers[i]!.url, sockets[i]!, contender.protocol, message())
      const rows: Row[] = all.map((contender) => ({ name: contender.name, times: [], cpu: [] }))
      for (let round = 0; round < options.rounds; round++) {
        const line: string[] = []
        for (let k = 0; k < all.length; k++) {
          const i = (k + round) % all.length
          const server = servers[i]!
          const row = rows[i]!
          const cpuBefore = await server.cpu()
          const times: number[] = []
          for (let m = 0; m < messages; m++)
            times.push(await fanOut(server.url, sockets[i]!, all[i]!.protocol, message()))
          row.cpu.push(((await server.cpu()) - cpuBefore) / messages)
          row.times.push(...times)
          line.push(`${server.name} ${median(times).toFixed(1)} ms`)
        }
        console.log(`  round ${round + 1}/${options.rounds}: ${line.join(', ')}`)
      }
      return report(rows)
    } finally {
      await Promise.all(sockets.map((list) => closeAll(list)))
      await Promise.all(servers.map((server) => server.stop()))
      await redis.remove()
    }
  },
}

function report(rows: Row[]): boolean {
  const time = new Map(rows.map((row) => [row.name, median(row.times)]))
  const cpu = new Map(rows.map((row) => [row.name, median(row.cpu)]))
  console.log()
  console.table(
    rows.map((row) => ({
      server: row.name,
      'median ms': time.get(row.name)!.toFixed(2),
      'p95 ms': percentile(row.times, 0.95).toFixed(2),
      'x raw ws': (time.get(row.name)! / time.get('raw ws')!).toFixed(2),
      'x socket.io': (time.get(row.name)! / time.get('socket.io')!).toFixed(2),
      'server cpu µs/message': Math.round(cpu.get(row.name)!),
    })),
  )
  const targets: [string, string, number][] = [
    ['memory', 'socket.io', 1],
    ['memory', 'raw ws', 1.1],
  ]
  let met = true
  for (const [numerator, denominator, most] of targets) {
    const ratio = time.get(numerator)! / time.get(denominator)!
    const ok = ratio <= most
    met &&= ok
    console.log(
      `${numerator} / ${denominator} = ${ratio.toFixed(2)} time to the last delivery (target <= ${most.toFixed(2)})${ok ? '' : '  MISSED'}`,
    )
  }
  return met
}
