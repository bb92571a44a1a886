// The ceiling: json-rpc-2.0's JSONRPCServer fed by a raw ws 'message' handler, replies sent back as text.
import { JSONRPCServer } from 'json-rpc-2.0'

import { serveWebSockets } from './ws-raw.js'

const rpc = new JSONRPCServer()
rpc.addMethod('add', ([a, b]: [number, number]) => a + b)

serveWebSockets({
  '/rpc': (ws) => {
    ws.on('message', (data: Buffer) => {
      void rpc.receiveJSON(data.toString()).then((reply) => {
        if (reply !== null) ws.send(JSON.stringify(reply))
      })
    })
  },
})
