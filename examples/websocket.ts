/**
 * pulsar's websocket example: an HTML page, `/echo` (echoes each message;
 * `send ping X` makes the server ping with X, `send close N` makes it close
 * with code N) and `/data` (answers each message with 100 random points).
 *
 *     npx tsx examples/websocket.ts          # then open http://127.0.0.1:8060
 */
import { fileURLToPath } from 'node:url'

import type { WsgiRequest } from 'pulsar-ts'
import { type ServerOptions, WSGIServer, WsgiHandler } from 'pulsar-ts'
import { Router } from 'pulsar-ts/router'
import {
  MAX_CONTROL_PAYLOAD,
  WS,
  WebSocket,
  type WebSocketProtocol,
  isValidCloseCode,
} from 'pulsar-ts/websocket'

/**
 * Echoes every message; `send ping X` and `send close N` are commands to the
 * server. What a client sends is checked before it reaches `ping()` or
 * `close()`, which throw on a value they cannot send (an error of the
 * application's, which closes the socket with 1011): a bad command gets an
 * answer instead.
 */
export class Echo extends WS {
  override onMessage(ws: WebSocketProtocol, text: string): Promise<void> | undefined {
    if (text.startsWith('send ping ')) {
      const payload = text.slice(10)
      if (Buffer.byteLength(payload) > MAX_CONTROL_PAYLOAD)
        return ws.write(
          `A ping carries at most ${MAX_CONTROL_PAYLOAD} bytes: send ping <up to ${MAX_CONTROL_PAYLOAD} bytes>`,
        )
      ws.ping(payload)
      return undefined
    }
    if (text.startsWith('send close ')) {
      const code = Number(text.slice(11))
      if (!isValidCloseCode(code))
        return ws.write(`${text.slice(11)} is not a close code a server may send`)
      ws.close(code)
      return undefined
    }
    // returning write's promise waits for a slow reader before the next message
    return ws.write(text)
  }

  override onBytes(ws: WebSocketProtocol, bytes: Buffer): Promise<void> {
    return ws.write(bytes)
  }
}

/** Answers every message with 100 random points, `[{ x, y }, ...]` as JSON (pulsar's Graph). */
export class Graph extends WS {
  override onMessage(ws: WebSocketProtocol): Promise<void> {
    const points = Array.from({ length: 100 }, (_, x) => ({ x, y: Math.random() }))
    return ws.write(JSON.stringify(points))
  }
}

const PAGE = `<!DOCTYPE html>
<html>
<head><meta charset="utf-8"><title>pulsar-ts websocket</title></head>
<body>
<h1>WebSockets</h1>
<p><input id="text" value="Hello"> <button id="send">send</button>
(try <code>send ping hi</code> or <code>send close 4000</code>)</p>
<pre id="echo"></pre>
<p>Random data, a new set every second:</p>
<pre id="data"></pre>
<script>
const url = (path) => location.origin.replace(/^http/, 'ws') + path
const echo = new WebSocket(url('/echo'))
const log = (line) => (document.getElementById('echo').textContent += line + '\\n')
echo.onmessage = (event) => log('< ' + event.data)
echo.onclose = (event) => log('closed with ' + event.code)
document.getElementById('send').onclick = () => {
  const text = document.getElementById('text').value
  log('> ' + text)
  echo.send(text)
}
const data = new WebSocket(url('/data'))
data.onopen = () => setInterval(() => data.send('more'), 1000)
data.onmessage = (event) => {
  const points = JSON.parse(event.data)
  document.getElementById('data').textContent = points
    .slice(0, 10)
    .map((p) => p.x + ': ' + p.y.toFixed(3))
    .join('\\n')
}
</script>
</body>
</html>
`

/** The example's application: the page, `/echo` and `/data`. */
export function websocketApp(): WsgiHandler {
  const home = new Router('/', { get: (request: WsgiRequest) => request.htmlResponse(PAGE) })
  return new WsgiHandler([
    home,
    new WebSocket('/echo', new Echo()),
    new WebSocket('/data', new Graph()),
  ])
}

/** The server of this example, with the settings given in code. */
export function server(options: ServerOptions = {}): WSGIServer {
  return new WSGIServer(websocketApp(), options)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await server().start()
