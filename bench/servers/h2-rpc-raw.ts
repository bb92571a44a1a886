// The HTTP/2 ceiling for JSON-RPC: json-rpc-2.0's JSONRPCServer on node:http2 (h2c),
// with the checks any JSON-RPC server over HTTP makes (POST, JSON body, 204 for notifications).
import { createServer } from 'node:http2'

import { JSONRPCServer } from 'json-rpc-2.0'

import { ready } from './child.js'

const rpc = new JSONRPCServer()
rpc.addMethod('add', ([a, b]: [number, number]) => a + b)

const server = createServer()
server.on('stream', (stream, headers) => {
  if (headers[':method'] !== 'POST') {
    stream.respond({ ':status': 405, allow: 'POST' }, { endStream: true })
    return
  }
  if (!(headers['content-type'] ?? '').startsWith('application/json')) {
    stream.respond({ ':status': 415 }, { endStream: true })
    return
  }
  const chunks: Buffer[] = []
  stream.on('data', (chunk: Buffer) => chunks.push(chunk))
  stream.on('end', () => {
    void rpc.receiveJSON(Buffer.concat(chunks).toString()).then((reply) => {
      if (reply === null) {
        stream.respond({ ':status': 204 }, { endStream: true })
        return
      }
      const body = JSON.stringify(reply)
      stream.respond({
        ':status': 200,
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      })
      stream.end(body)
    })
  })
})
server.listen(0, '127.0.0.1', () => ready(server.address()))
