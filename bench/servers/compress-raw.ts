// The baseline: raw node:http with the `compression` package used directly as connect middleware.
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http'

import compression from 'compression'

import { ready } from './child.js'
import { payload } from './compress-payloads.js'

// connect-style: (req, res, next); its types are Express's, which node:http's objects stand in for
const compress = compression({ level: 6 }) as unknown as (
  req: IncomingMessage,
  res: ServerResponse,
  next: () => void,
) => void

const server = createServer((req, res) => {
  compress(req, res, () => {
    const found = payload(req.url)
    if (!found) {
      res.writeHead(404).end()
      return
    }
    res.writeHead(200, { 'Content-Type': found[1] })
    res.end(found[0])
  })
})
server.listen(0, '127.0.0.1', () => ready(server.address()))
