/**
 * The chat's page: a list of messages, a box to write in, and a socket to
 * `/message` that reconnects when it drops.
 * @module
 */

/** The HTML of `/`. */
export const CHAT_PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pulsar-ts chat</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
  #messages { list-style: none; padding: 0; min-height: 10rem; border: 1px solid #ccc; border-radius: 4px; }
  #messages li { padding: 0.3rem 0.6rem; border-bottom: 1px solid #eee; }
  #messages time { color: #888; margin-right: 0.6rem; font-size: 0.85em; }
  form { display: flex; gap: 0.5rem; }
  #text { flex: 1; padding: 0.4rem; }
  #status { color: #888; }
</style>
</head>
<body>
<h1>Chat</h1>
<p id="status" data-state="connecting">connecting...</p>
<ul id="messages"></ul>
<form id="write">
  <input id="text" autocomplete="off" placeholder="Say something" maxlength="4096">
  <button id="send" type="submit">Send</button>
</form>
<script>
const messages = document.getElementById('messages')
const status = document.getElementById('status')
const text = document.getElementById('text')
let socket
let retry = 250

function show(state, label) {
  status.dataset.state = state
  status.textContent = label
}

function connect() {
  socket = new WebSocket(location.origin.replace(/^http/, 'ws') + '/message')
  socket.onopen = () => {
    retry = 250
    show('open', 'connected')
  }
  socket.onmessage = (event) => {
    const { message, time } = JSON.parse(event.data)
    const item = document.createElement('li')
    const when = document.createElement('time')
    when.textContent = new Date(time * 1000).toLocaleTimeString()
    item.append(when, message)
    messages.append(item)
  }
  socket.onclose = () => {
    show('closed', 'disconnected, reconnecting...')
    setTimeout(connect, retry)
    retry = Math.min(retry * 2, 5000)
  }
}

document.getElementById('write').onsubmit = (event) => {
  event.preventDefault()
  if (text.value.trim() && socket.readyState === WebSocket.OPEN) socket.send(text.value)
  text.value = ''
}

connect()
</script>
</body>
</html>
`
