/**
 * The server's memory per idle WebSocket: `BENCH_WS_IDLE` sockets (10 000)
 * opened to `/idle` and left idle, then the server's `heapUsed + external`
 * after a full GC, minus the same before, divided by the count. Each socket
 * sends its own `X-Bench-Id` in its handshake and, once the memory is read,
 * must get it back from the server: handshake data stays available to
 * handlers (pulsar-ts reads it from `ws.handshake`, raw ws keeps the header).
 *
 *     npm run bench -- websocket-idle
 *     BENCH_WS_IDLE=2000 npm run bench -- websocket-idle
 */
import { cpus } from 'node:os'

import type { WebSocket } from 'ws'

import { type Settings, envNumber } from '../lib.js'
import { type ServerProcess, ensureFileLimit, startServer } from '../process.js'
import { judge, median } from '../report.js'
import { closeAll, connectMany, wsUrl } from '../ws-load.js'

const SERVERS = { raw: 'websocket-raw.ts', wsgi: 'websocket-wsgi.ts' }

interface Row {
  name: string
  /** Heap + external bytes per idle socket, one per round. */
  heap: number[]
  /** RSS bytes per idle socket, one per round: only the first is telling (freed memory is reused after). */
  rss: number[]
}

/** Every socket asks once; throws unless each gets its own id back. */
function checkHandshakes(name: string, sockets: readonly WebSocket[]): Promise<void> {
  return Promise.all(
    sockets.map(
      (socket, i) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`${name}: socket ${i} had no answer`)),
            30_000,
          )
          socket.once('message', (data: Buffer) => {
            clearTimeout(timer)
            if (data.toString() === String(i)) resolve()
            else reject(new Error(`${name}: socket ${i} got ${JSON.stringify(data.toString())}`))
          })
          socket.send('id?')
        }),
    ),
  ).then(() => undefined)
}

/** Opens `count` sockets, lets them sit idle, and divides the server's growth in memory by `count`. */
async function idleCost(server: ServerProcess, count: number) {
  const before = await server.memory(true)
  const sockets = await connectMany(wsUrl(server.url, '/idle'), count, (i) => ({
    'X-Bench-Id': String(i),
  }))
  try {
    await new Promise((resolve) => setTimeout(resolve, 500))
    const after = await server.memory(true)
    await checkHandshakes(server.name, sockets)
    return {
      heap: (after.heapUsed + after.external - before.heapUsed - before.external) / count,
      rss: (after.rss - before.rss) / count,
    }
  } finally {
    await closeAll(sockets)
  }
}

/** A suite that runs and reports itself: its measure is memory, not a rate. */
export const websocketIdle = {
  title: 'Idle WebSockets: server heap + external bytes per socket after a full GC',

  async run(options: Settings): Promise<boolean> {
    const count = envNumber('BENCH_WS_IDLE', 10_000, true)
    // this process holds the client side of every socket, each server the other
    ensureFileLimit(count + 1024)
    console.log(`\n${this.title}`)
    console.log(
      `node ${process.version}, ${cpus().length} CPUs; ${count} sockets per server and round, ` +
        `${options.rounds} rounds; every socket's handshake data checked`,
    )
    const servers: ServerProcess[] = []
    try {
      for (const [name, file] of Object.entries(SERVERS))
        servers.push(await startServer(name, file, options.build))
      const rows: Row[] = servers.map((server) => ({ name: server.name, heap: [], rss: [] }))
      for (let round = 0; round < options.rounds; round++) {
        const line: string[] = []
        for (let k = 0; k < servers.length; k++) {
          const i = (k + round) % servers.length
          const cost = await idleCost(servers[i]!, count)
          rows[i]!.heap.push(cost.heap)
          rows[i]!.rss.push(cost.rss)
          line.push(`${servers[i]!.name} ${Math.round(cost.heap)} B/socket`)
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
  const heap = new Map(rows.map((row) => [row.name, median(row.heap)]))
  const raw = heap.get('raw')!
  console.log()
  console.table(
    rows.map((row) => ({
      server: row.name,
      'heap B/idle socket': Math.round(heap.get(row.name)!),
      'x raw': (heap.get(row.name)! / raw).toFixed(2),
      'rss B/idle socket (round 1)': Math.round(row.rss[0]!),
    })),
  )
  return judge(
    [{ of: ['wsgi', 'raw'], by: 'idle', atMost: 1.25 }],
    (numerator, denominator) => heap.get(numerator)! / heap.get(denominator)!,
    'socket',
  )
}
