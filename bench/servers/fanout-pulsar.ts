/**
 * pulsar-ts fan-out: a PubSubWS at `/feed` on the channel `feed`, and
 * `POST /publish`, which publishes its body there, through the backend the
 * settings name: memory alone, cluster with `--workers N`, Redis with
 * `--pubsub redis://...`. This file is the arbiter and each worker alike.
 */
import cluster from 'node:cluster'

import {
  type Environ,
  LazyWsgi,
  type PubSub,
  PubSubWS,
  type StartResponse,
  WSGIServer,
  WsgiHandler,
  getPubSub,
} from 'pulsar-ts'
import { WebSocket } from 'pulsar-ts/websocket'

import { ready, readyArbiter } from './child.js'

function publisher(pubsub: PubSub) {
  return async (environ: Environ, startResponse: StartResponse) => {
    if (environ.PATH_INFO !== '/publish') return undefined
    const body = await environ['wsgi.input'].read()
    await pubsub.publish('feed', body.toString())
    startResponse('204 No Content', [])
    return []
  }
}

class FanOut extends LazyWsgi {
  async setup(environ: Environ): Promise<WsgiHandler> {
    const pubsub = getPubSub(environ)
    const feed = new PubSubWS(pubsub, 'feed')
    await feed.ready
    return new WsgiHandler([publisher(pubsub), new WebSocket('/feed', feed)])
  }
}

const server = await new WSGIServer(new FanOut(), { bind: '127.0.0.1:0', log_level: 'warn' }).start(
  process.argv.slice(2),
)
if (server.arbiter) await readyArbiter(server.arbiter)
else if (!cluster.isWorker) ready(server.address)
