/**
 * JSON-RPC: `add(1, 2)` over HTTP (POST /rpc) through pulsar-ts against
 * json-rpc-2.0's JSONRPCServer on raw node:http (the ceiling: the library
 * pulsar-ts dispatches with) and jayson's HTTP server (the peer).
 */
import { type Suite, answers } from '../lib.js'

const CALL = '{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}'
const REPLY = '{"jsonrpc":"2.0","id":1,"result":3}'

export const rpc: Suite = {
  title: 'JSON-RPC: POST /rpc add(1, 2) -> 200 application/json',
  servers: { raw: 'rpc-raw.ts', pulsar: 'rpc-pulsar.ts', jayson: 'rpc-jayson.ts' },
  load: {
    path: '/rpc',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: CALL,
    expectBody: REPLY,
  },
  check: answers(
    {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(REPLY.length),
    },
    REPLY,
  ),
  targets: [
    ['pulsar', 'raw', 0.95],
    ['pulsar', 'jayson', 1.0],
  ],
}
