/**
 * `npm run bench [suite ...]`: each layer of pulsar-ts side by side with its
 * peers, in one interleaved run per suite (all suites when none is named).
 *
 *     BENCH_DURATION=4 BENCH_CONNECTIONS=50 BENCH_ROUNDS=5 BENCH_WARMUP=2 npm run bench
 *     npm run bench -- hello       # one suite
 *     BENCH_SRC=1 npm run bench    # src/ through tsx instead of the built dist/
 *
 * A suite is a Suite object in bench/suites/ (servers, load, check,
 * targets), registered below, with a file per server under bench/servers/.
 */
import { type Settings, type Suite, header, report, runSuite, settings } from './lib.js'
import { compressionJson, compressionText } from './suites/compression.js'
import { fanout } from './suites/fanout.js'
import { hello } from './suites/hello.js'
import { router } from './suites/router.js'
import { rpc } from './suites/rpc.js'
import { websocket } from './suites/websocket.js'
import { workers } from './suites/workers.js'

const suites: Record<string, Suite> = {
  hello,
  workers,
  'compression-json': compressionJson,
  'compression-text': compressionText,
  router,
  rpc,
}
// suites that measure what autocannon cannot, and report themselves
const selfRun: Record<string, { run(options: Settings): Promise<boolean> }> = { websocket, fanout }

const names = process.argv.slice(2)
const unknown = names.filter((name) => !(name in suites) && !(name in selfRun))
if (unknown.length)
  throw new Error(`No suite ${unknown.join(', ')}; there are ${Object.keys(suites).join(', ')}`)

const options = settings()
for (const name of names.length ? names : [...Object.keys(suites), ...Object.keys(selfRun)]) {
  const own = selfRun[name]
  if (own) {
    await own.run(options)
    continue
  }
  const suite = suites[name]!
  header(suite, options)
  report(await runSuite(suite, options), suite.targets)
}
