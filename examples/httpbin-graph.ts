/**
 * httpbin's `/websocket` page: a graph of the random points the
 * `/graph-data` socket sends for every message it gets, drawn on a canvas
 * (pulsar's drew them with jQuery and flot from a CDN; this page needs
 * nothing but itself).
 * @module
 */

/** The HTML of `/websocket`. */
export const GRAPH_PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pulsar-ts httpbin: a WebSocket graph</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
  canvas { width: 100%; border: 1px solid #ccc; border-radius: 4px; }
  #status { color: #888; }
</style>
</head>
<body>
<h1>A WebSocket graph</h1>
<p id="status" data-state="connecting">connecting...</p>
<canvas id="graph" width="600" height="300" data-frames="0"></canvas>
<p>
  <label for="frequency">Seconds between updates</label>
  <input id="frequency" type="number" min="0" step="0.1" value="1">
  (0: as fast as the socket goes)
</p>
<script>
const canvas = document.getElementById('graph')
const status = document.getElementById('status')
const frequency = document.getElementById('frequency')
const socket = new WebSocket(location.origin.replace(/^http/, 'ws') + '/graph-data')
let next

function show(state, label) {
  status.dataset.state = state
  status.textContent = label
}

// asks for the next set of points once the chosen number of seconds has passed
function ask() {
  clearTimeout(next)
  const seconds = Math.max(0, Number(frequency.value) || 0)
  next = setTimeout(() => {
    if (socket.readyState === WebSocket.OPEN) socket.send('more data')
  }, seconds * 1000)
}

// points are [{ x, y }] with x = 0, 1, 2... and y in [0, 1): a filled line
function draw(points) {
  const g = canvas.getContext('2d')
  const { width, height } = canvas
  const last = Math.max(1, points.length - 1)
  const at = (point) => [(point.x / last) * width, height - point.y * height]
  g.clearRect(0, 0, width, height)
  g.beginPath()
  g.moveTo(0, height)
  for (const point of points) g.lineTo(...at(point))
  g.lineTo(width, height)
  g.closePath()
  g.fillStyle = 'rgba(51, 119, 204, 0.3)'
  g.fill()
  g.beginPath()
  points.forEach((point, i) => (i ? g.lineTo(...at(point)) : g.moveTo(...at(point))))
  g.strokeStyle = '#3377cc'
  g.lineWidth = 2
  g.stroke()
  canvas.dataset.frames = String(Number(canvas.dataset.frames) + 1)
}

socket.onopen = () => {
  show('open', 'connected')
  socket.send('hi there')
}
socket.onmessage = (event) => {
  draw(JSON.parse(event.data))
  ask()
}
socket.onclose = (event) => show('closed', 'closed (' + event.code + ')')
frequency.onchange = ask
</script>
</body>
</html>
`
