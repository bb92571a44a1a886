/**
 * The hello app served by an arbiter and its workers (`workers.ts --workers
 * N`): this file is both the arbiter and, forked by it, each worker.
 */
import { readFileSync } from 'node:fs'

import { WSGIServer } from 'pulsar-ts'

import { hello } from '../../examples/hello.js'
import { ready } from './child.js'

/** CPU microseconds of a process, from /proc (clock ticks of 10 ms). */
function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10_000
  } catch {
    return 0
  }
}

const server = await new WSGIServer(hello, { bind: '127.0.0.1:0', log_level: 'warn' }).start(
  process.argv.slice(2),
)
const arbiter = server.arbiter
if (arbiter) {
  const url = new URL(await arbiter.listening)
  // the cost of a request is the arbiter's and every worker's CPU
  ready({ address: url.hostname, family: 'IPv4', port: Number(url.port) }, () =>
    [process.pid, ...arbiter.info().workers.map((worker) => worker.pid)].reduce(
      (total, pid) => total + cpuOf(pid),
      0,
    ),
  )
}
