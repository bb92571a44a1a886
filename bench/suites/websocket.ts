/**
 * Round trips over WebSockets, each of `connections` sockets (100) with one
 * message in flight, loaded by bench/ws-client.c so that the client is not
 * the bottleneck: a 32-byte text echoed by pulsar-ts (examples/websocket.ts's
 * Echo on a WebSocket route in a WsgiHandler) against raw ws on node:http,
 * and a JSON-RPC call, `add(1, 2)`, through pulsar-ts's JsonRpc on a
 * WebSocket route against json-rpc-2.0's JSONRPCServer fed by a ws
 * 'message' handler.
 */
import type { Suite } from '../lib.js'
import type { Target } from '../report.js'
import { checkReply, roundTrips } from '../ws-client.js'

function tripSuite(
  title: string,
  servers: Record<string, string>,
  path: string,
  message: string,
  expected: string,
  targets: Target[],
): Suite {
  return {
    title,
    unit: 'trip',
    loader: 'bench/ws-client.c (epoll), one message in flight per socket, every reply checked',
    servers,
    connections: 100,
    check: (server) => checkReply(server, path, message, expected),
    load: (server, seconds, connections) =>
      roundTrips(server, path, connections, seconds, message, expected),
    targets,
  }
}

const ECHO = 'Hello World! Hello World! Hello!'

export const websocket = tripSuite(
  `WebSocket echo: a ${ECHO.length}-byte text message, echoed`,
  { raw: 'websocket-raw.ts', wsgi: 'websocket-wsgi.ts' },
  '/echo',
  ECHO,
  ECHO,
  [{ of: ['wsgi', 'raw'], by: 'rate', atLeast: 0.95 }],
)

export const rpcWebsocket = tripSuite(
  'JSON-RPC over WebSocket: add(1, 2) as a text message, the reply as another',
  { raw: 'rpc-ws-raw.ts', pulsar: 'rpc-ws-pulsar.ts' },
  '/rpc',
  '{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}',
  '{"jsonrpc":"2.0","id":1,"result":3}',
  [{ of: ['pulsar', 'raw'], by: 'rate', atLeast: 1.0 }],
)
