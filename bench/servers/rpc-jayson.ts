// The peer: jayson's HTTP server (POST and content-type checks, 204 for notifications).
import jayson from 'jayson'

import { ready } from './child.js'

const rpc = new jayson.Server({
  add: (params: unknown, callback: (error: null, result: number) => void) => {
    const [a, b] = params as [number, number]
    callback(null, a + b)
  },
})
const server = rpc.http()
server.listen(0, '127.0.0.1', () => ready(server.address()))
