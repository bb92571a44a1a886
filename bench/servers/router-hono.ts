// The peer: Hono on @hono/node-server, the same route.
import type { AddressInfo } from 'node:net'

import { serve } from '@hono/node-server'
import { Hono } from 'hono'

import { ready } from './child.js'

const app = new Hono()
app.get('/users/:id', (c) => {
  const id = Number(c.req.param('id'))
  return c.body(JSON.stringify({ id, name: `user ${id}` }), 200, {
    'Content-Type': 'application/json; charset=utf-8',
  })
})
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => ready(info))
