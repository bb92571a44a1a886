/**
 * The ceiling: raw ws on node:http. `/echo` echoes text as text and bytes
 * as bytes; `/idle` answers any message with the `X-Bench-Id` header of its
 * handshake, which it keeps for the purpose (the idle-memory suite checks
 * that every socket still has its handshake data).
 */
import { serveWebSockets } from './ws-raw.js'

serveWebSockets({
  '/echo': (ws) => {
    ws.on('message', (data: Buffer, isBinary) => ws.send(isBinary ? data : data.toString()))
  },
  '/idle': (ws, request) => {
    const id = String(request.headers['x-bench-id'])
    ws.on('message', () => ws.send(id))
  },
})
