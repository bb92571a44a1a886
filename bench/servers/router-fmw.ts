// The ceiling for a routed server: find-my-way on raw node:http.
import { createServer } from 'node:http'

import FindMyWay from 'find-my-way'

import { ready } from './child.js'

const router = FindMyWay({
  defaultRoute: (_req, res) => {
    res.statusCode = 404
    res.end()
  },
})
router.on('GET', '/users/:id', (_req, res, params) => {
  const id = Number(params.id)
  const body = JSON.stringify({ id, name: `user ${id}` })
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  })
  res.end(body)
})
const server = createServer((req, res) => {
  router.lookup(req, res)
})
server.listen(0, '127.0.0.1', () => ready(server.address()))
