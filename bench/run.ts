/**
 * `npm run bench [suite ...]`: each layer of pulsar-ts side by side with its
 * peers, in one interleaved run per suite (all suites when none is named).
 *
 *     BENCH_DURATION=4 BENCH_ROUNDS=5 BENCH_WARMUP=2 npm run bench
 *     npm run bench -- hello rpc   # some suites
 *     BENCH_SRC=1 npm run bench    # src/ through tsx instead of the built dist/
 *
 * A suite is a Suite object in bench/suites/ (servers, check, load,
 * targets), registered below, with a file per server under bench/servers/;
 * the suites whose load is not a rate of requests run and report themselves.
 */
import { type Settings, type Suite, runAndReport, settings } from './lib.js'
import { compressionJson, compressionText } from './suites/compression.js'
import { fanout } from './suites/fanout.js'
import { hello } from './suites/hello.js'
import { http2, http2Rpc } from './suites/http2.js'
import { router } from './suites/router.js'
import { rpc, rpcBatch, rpcSchema } from './suites/rpc.js'
import { rpcWebsocket, websocket } from './suites/websocket.js'
import { websocketIdle } from './suites/websocket-idle.js'
import { workers } from './suites/workers.js'

const suites: Record<string, Suite> = {
  hello,
  workers,
  'compression-json': compressionJson,
  'compression-text': compressionText,
  router,
  rpc,
  'rpc-batch': rpcBatch,
  'rpc-schema': rpcSchema,
  'rpc-websocket': rpcWebsocket,
  websocket,
  http2,
  'http2-rpc': http2Rpc,
}
// suites that measure something else than a rate, and report themselves
const selfRun: Record<string, { run(options: Settings): Promise<boolean> }> = {
  'websocket-idle': websocketIdle,
  fanout,
}

const names = process.argv.slice(2)
const all = [...Object.keys(suites), ...Object.keys(selfRun)]
const unknown = names.filter((name) => !all.includes(name))
if (unknown.length) throw new Error(`No suite ${unknown.join(', ')}; there are ${all.join(', ')}`)

const options = settings()
const missed: string[] = []
for (const name of names.length ? names : all) {
  const own = selfRun[name]
  const met = own ? await own.run(options) : await runAndReport(suites[name]!, options)
  if (!met) missed.push(name)
}
console.log(
  missed.length
    ? `\nTargets MISSED in: ${missed.join(', ')}`
    : '\nEvery target of the suites run was met',
)
