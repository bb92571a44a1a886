/**
 * The hello app served by an arbiter and its workers (`workers.ts --workers
 * N`): this file is both the arbiter and, forked by it, each worker.
 */
import { WSGIServer } from 'pulsar-ts'

import { hello } from '../../examples/hello.js'
import { readyArbiter } from './child.js'

const server = await new WSGIServer(hello, { bind: '127.0.0.1:0', log_level: 'warn' }).start(
  process.argv.slice(2),
)
if (server.arbiter) await readyArbiter(server.arbiter)
