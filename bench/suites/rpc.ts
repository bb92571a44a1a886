/**
 * JSON-RPC over HTTP (POST /rpc): one call, `add(1, 2)`, and a batch of ten
 * calls, through pulsar-ts against json-rpc-2.0's JSONRPCServer on raw
 * node:http (the ceiling: the library pulsar-ts dispatches with) and
 * jayson's HTTP server (the peer). The allocation and RSS targets are the
 * single call's: heap bytes allocated per call, and the resident set size
 * after the load. `rpc-schema` weighs params checked by schemas: the same
 * call through pulsar-ts without a schema, with zod's and with valibot's.
 */
import { answers, httpSuite } from '../http-load.js'

const SERVERS = { raw: 'rpc-raw.ts', pulsar: 'rpc-pulsar.ts', jayson: 'rpc-jayson.ts' }
const CALL = '{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}'
const REPLY = '{"jsonrpc":"2.0","id":1,"result":3}'

// add(i, i) with id i, for i from 1 to 10; each server must answer in order
const ids = Array.from({ length: 10 }, (_, i) => i + 1)
const BATCH = `[${ids.map((i) => `{"jsonrpc":"2.0","method":"add","params":[${i},${i}],"id":${i}}`).join(',')}]`
const BATCH_REPLY = `[${ids.map((i) => `{"jsonrpc":"2.0","id":${i},"result":${2 * i}}`).join(',')}]`

function post(body: string, reply: string) {
  return {
    load: {
      path: '/rpc',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      expectBody: reply,
    },
    check: answers(
      {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(reply.length),
      },
      reply,
    ),
  }
}

export const rpc = httpSuite({
  title: 'JSON-RPC: POST /rpc add(1, 2) -> 200 application/json',
  servers: SERVERS,
  connections: 100,
  ...post(CALL, REPLY),
  targets: [
    { of: ['pulsar', 'raw'], by: 'rate', atLeast: 1.0 },
    { of: ['pulsar', 'raw'], by: 'cpu', atLeast: 1.0 },
    { of: ['pulsar', 'jayson'], by: 'rate', atLeast: 1.0 },
    { of: ['pulsar', 'jayson'], by: 'cpu', atLeast: 1.0 },
    { of: ['pulsar', 'raw'], by: 'alloc', atMost: 1.2 },
    { of: ['pulsar', 'raw'], by: 'rss', atMost: 1.2 },
  ],
})

export const rpcBatch = httpSuite({
  title: 'JSON-RPC batch: POST /rpc ten add() calls in one request -> 200, ten replies in order',
  servers: SERVERS,
  connections: 100,
  ...post(BATCH, BATCH_REPLY),
  targets: [
    { of: ['pulsar', 'raw'], by: 'rate', atLeast: 1.0 },
    { of: ['pulsar', 'jayson'], by: 'rate', atLeast: 1.0 },
  ],
})

export const rpcSchema = httpSuite({
  title: 'JSON-RPC params schemas: POST /rpc add(1, 2), without a schema, with zod, with valibot',
  servers: { pulsar: 'rpc-pulsar.ts', zod: 'rpc-pulsar-zod.ts', valibot: 'rpc-pulsar-valibot.ts' },
  connections: 100,
  ...post(CALL, REPLY),
  targets: [],
})
