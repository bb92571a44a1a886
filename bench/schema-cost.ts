/**
 * What checking params with a schema costs, in process (no socket, no
 * noise of the network): the time `JsonRpc.receive()` takes to answer
 * `add(1, 2)` without a schema and with zod's and valibot's, beside the
 * schema library's own time to validate the two params (CPU time, the
 * median of interleaved rounds). Validation is cheap
 * enough when the added time is no more than the library's own.
 *
 *     npx tsx bench/schema-cost.ts        # BENCH_ROUNDS=7 BENCH_CALLS=200000
 */
import * as v from 'valibot'
import * as z from 'zod'

import { WsgiRequest } from 'pulsar-ts'
import { JsonRpc, rpcMethod } from 'pulsar-ts/rpc'
import { testWsgiEnviron } from 'pulsar-ts/testing'

import { envNumber } from './lib.js'

const rounds = envNumber('BENCH_ROUNDS', 7, true)
const calls = envNumber('BENCH_CALLS', 200_000, true)
const CALL = '{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}'
const request = new WsgiRequest(testWsgiEnviron({ method: 'POST', path: '/rpc' }))

const schemas = { zod: [z.number(), z.number()], valibot: [v.number(), v.number()] } as const
const handlers = {
  none: new JsonRpc({ methods: { add: (_request, a: number, b: number) => a + b } }),
  zod: new JsonRpc({
    methods: { add: rpcMethod({ params: schemas.zod, handle: (_request, a, b) => a + b }) },
  }),
  valibot: new JsonRpc({
    methods: { add: rpcMethod({ params: schemas.valibot, handle: (_request, a, b) => a + b }) },
  }),
}

/** CPU nanoseconds per run of `run`, over `calls` runs: CPU time, so that other processes of a busy machine count less. */
async function time(run: () => unknown): Promise<number> {
  const start = process.cpuUsage()
  for (let i = 0; i < calls; i++) await run()
  const { user, system } = process.cpuUsage(start)
  return ((user + system) * 1000) / calls
}

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const receive = (handler: JsonRpc) => () => handler.receive(CALL, request)
const own = (name: keyof typeof schemas) => () => {
  const [a, b] = schemas[name]
  void a['~standard'].validate(1)
  void b['~standard'].validate(2)
}
const runs: Record<string, () => unknown> = {
  none: receive(handlers.none),
  zod: receive(handlers.zod),
  valibot: receive(handlers.valibot),
  'zod alone': own('zod'),
  'valibot alone': own('valibot'),
}
// rounds interleaved, so that every run sees the machine in the same states; the first is a warm-up
const timings: Record<string, number[]> = {}
for (let round = 0; round <= rounds; round++)
  for (const [name, run] of Object.entries(runs)) {
    const ns = await time(run)
    if (round > 0) (timings[name] ??= []).push(ns)
  }
const none = median(timings.none!)
console.table(
  (['zod', 'valibot'] as const).map((name) => {
    const checked = median(timings[name]!)
    return {
      schema: name,
      'receive ns, no schema': Math.round(none),
      'receive ns, schema': Math.round(checked),
      'added ns': Math.round(checked - none),
      "library's own ns": Math.round(median(timings[`${name} alone`]!)),
      'receive x': Number((checked / none).toFixed(3)),
    }
  }),
)
