// The ceiling: json-rpc-2.0's JSONRPCServer on node:http, with the checks
// any JSON-RPC server over HTTP makes (POST, JSON body, 204 for notifications).
import { createServer } from 'node:http'

import { JSONRPCServer } from 'json-rpc-2.0'

import { ready } from './child.js'

const rpc = new JSONRPCServer()
rpc.addMethod('add', ([a, b]: [number, number]) => a + b)

const server = createServer((req, res) => {
  if (req.method !== 'POST') {
    res.writeHead(405, { Allow: 'POST' }).end()
    return
  }
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
    res.writeHead(415).end()
    return
  }
  const chunks: Buffer[] = []
  req.on('data', (chunk: Buffer) => chunks.push(chunk))
  req.on('end', () => {
    void rpc.receiveJSON(Buffer.concat(chunks).toString()).then((reply) => {
      if (reply === null) {
        res.writeHead(204).end()
        return
      }
      const body = JSON.stringify(reply)
      res.writeHead(200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
      })
      res.end(body)
    })
  })
})
server.listen(0, '127.0.0.1', () => ready(server.address()))
