/**
 * The parent's side of the handshake every server process makes: it reports
 * its port over IPC, and dies with the parent so no server outlives a crashed
 * or interrupted run.
 */
import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'

import type { Arbiter } from 'pulsar-ts'

/** Hello World's exact bytes, shared by every server so they answer the same. */
export const HELLO = Buffer.from('Hello World!\n')

/** Reports the port; `cpu` tells the CPU microseconds spent serving (this process's by default). */
export function ready(
  address: AddressInfo | string | null | undefined,
  cpu: () => number = () => {
    const { user, system } = process.cpuUsage()
    return user + system
  },
): void {
  if (!address || typeof address === 'string') throw new Error('The server is not on a TCP port')
  if (!process.send) throw new Error('A bench server must be started with fork() by bench/run.ts')
  process.send({ port: address.port })
  process.on('disconnect', () => process.exit(0))
  // the parent asks for the CPU time spent so far, to compute the cost of a request
  process.on('message', (message: unknown) => {
    if (message === 'cpu') process.send!({ cpu: cpu() })
  })
}

/** CPU microseconds of a process, from /proc (clock ticks of 10 ms). */
function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10_000
  } catch {
    return 0
  }
}

/** Reports the port of an arbiter's workers once they listen; the CPU is the arbiter's and every worker's. */
export async function readyArbiter(arbiter: Arbiter): Promise<void> {
  const url = new URL(await arbiter.listening)
  ready({ address: url.hostname, family: 'IPv4', port: Number(url.port) }, () =>
    [process.pid, ...arbiter.info().workers.map((worker) => worker.pid)].reduce(
      (total, pid) => total + cpuOf(pid),
      0,
    ),
  )
}
