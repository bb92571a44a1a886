/**
 * `npm run bench`: each layer of pulsar-ts side by side with raw node:http
 * (the ceiling) and Fastify (the peer), in one interleaved run.
 *
 *     BENCH_DURATION=4 BENCH_CONNECTIONS=50 BENCH_ROUNDS=5 BENCH_WARMUP=2 npm run bench
 *     BENCH_SRC=1 npm run bench    # src/ through tsx instead of the built dist/
 *
 * A new suite is a Suite object (servers, load, check, targets) and a file per
 * server under bench/servers/.
 */
import { type Suite, header, report, runSuite, settings } from './lib.js'

const HELLO = 'Hello World!\n'

const hello: Suite = {
  title: 'Hello World: GET / -> 200 text/plain, 13 bytes',
  servers: { raw: 'raw.ts', wsgi: 'wsgi.ts', stack: 'stack.ts', fastify: 'fastify.ts' },
  load: { path: '/', expectBody: HELLO },
  check(name, { status, headers, body }) {
    const show = (value: unknown) => JSON.stringify(value) ?? 'none'
    const problems = [
      status === 200 ? '' : `status ${status}`,
      headers['content-type'] === 'text/plain'
        ? ''
        : `Content-Type ${show(headers['content-type'])}`,
      headers['content-length'] === '13' ? '' : `Content-Length ${show(headers['content-length'])}`,
      headers['transfer-encoding'] === undefined
        ? ''
        : `Transfer-Encoding ${show(headers['transfer-encoding'])}`,
      body.toString() === HELLO ? '' : `body ${show(body.toString())}`,
    ].filter(Boolean)
    if (problems.length)
      throw new Error(`${name} does not answer like the others: ${problems.join(', ')}`)
  },
  targets: [
    ['wsgi', 'raw', 0.95],
    ['stack', 'fastify', 1.0],
  ],
}

const options = settings()
header(hello, options)
report(await runSuite(hello, options), hello.targets)
