/**
 * The parent's side of the handshake every server process makes: it reports
 * its port over IPC, answers the parent's questions (CPU time, memory,
 * allocation), and dies with the parent so no server outlives a crashed or
 * interrupted run.
 */
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'

import type { Arbiter } from 'pulsar-ts'

import { startAllocation, stopAllocation } from './allocation.js'

/** Hello World's exact bytes, shared by every server so they answer the same. */
export const HELLO = Buffer.from('Hello World!\n')

/** The `http2` setting of a pulsar-ts server file: `h2c` when started with that argument (`wsgi.ts h2c`). */
export const HTTP2 = process.argv[2] === 'h2c' ? 'h2c' : ''

/** What the parent may ask a server process (lib.ts sends these). */
export type Question = 'cpu' | 'memory' | 'memory after gc' | 'allocation start' | 'allocation stop'

/** How a server measures itself; an arbiter measures itself and its workers. */
export interface Probes {
  /** CPU microseconds spent serving so far. */
  cpu(): number
  /** Resident set size, JavaScript heap in use, and memory outside it, in bytes (NaN: unknown). */
  memory(): { rss: number; heapUsed: number; external: number }
  allocation?: { start(): void; stop(): number }
}

// --expose-gc is on for every bench server (lib.ts), for the idle-memory figures
const { gc } = globalThis as { gc?: () => void }

const ownProbes: Probes = {
  cpu: () => {
    const { user, system } = process.cpuUsage()
    return user + system
  },
  memory: () => process.memoryUsage(),
  allocation: { start: startAllocation, stop: stopAllocation },
}

function answer(probes: Probes, question: Question): number | object | null {
  switch (question) {
    case 'cpu':
      return probes.cpu()
    case 'memory after gc':
      // twice: finalizers run by the first free more on the second
      gc?.()
      gc?.()
      return probes.memory()
    case 'memory':
      return probes.memory()
    case 'allocation start':
      probes.allocation?.start()
      return null
    case 'allocation stop':
      return probes.allocation?.stop() ?? Number.NaN
  }
}

/** Reports the port, then answers the parent's questions with `probes` (this process's by default). */
export function ready(
  address: AddressInfo | string | null | undefined,
  probes: Probes = ownProbes,
): void {
  if (!address || typeof address === 'string') throw new Error('The server is not on a TCP port')
  if (!process.send) throw new Error('A bench server must be started with fork() by bench/run.ts')
  process.send({ port: address.port })
  process.on('disconnect', () => process.exit(0))
  process.on('message', (message: { ask?: Question }) => {
    if (message.ask) process.send!({ answer: message.ask, value: answer(probes, message.ask) })
  })
}

/** Fields of /proc/PID/stat after the command name, or none once the process is gone. */
function statOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  } catch {
    return []
  }
}

/** Reports the port of an arbiter's workers once they listen; CPU and RSS are the arbiter's and every worker's. */
export async function readyArbiter(arbiter: Arbiter): Promise<void> {
  const url = new URL(await arbiter.listening)
  const pids = () => [process.pid, ...arbiter.info().workers.map((worker) => worker.pid)]
  // from /proc: utime and stime in clock ticks of 10 ms, RSS in pages of 4 KiB
  const sum = (field: number, unit: number) =>
    pids().reduce((total, pid) => total + Number(statOf(pid)[field] ?? 0) * unit, 0)
  ready(
    { address: url.hostname, family: 'IPv4', port: Number(url.port) },
    {
      cpu: () => sum(11, 10_000) + sum(12, 10_000),
      memory: () => ({ rss: sum(21, 4096), heapUsed: Number.NaN, external: Number.NaN }),
    },
  )
}
