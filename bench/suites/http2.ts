/**
 * HTTP/2 over cleartext (h2c, prior knowledge), loaded by h2load (Debian's
 * nghttp2-client) with 100 streams in flight on 10 connections: pulsar-ts
 * with `http2: 'h2c'` against raw node:http2 answering the same bytes (the
 * ceiling) and Fastify with `http2: true` (the peer). Hello World, and one
 * JSON-RPC call, `add(1, 2)`.
 */
import { h2Suite } from '../h2-load.js'

export const http2 = h2Suite({
  title: 'HTTP/2 (h2c) Hello World: GET / -> 200 text/plain, 13 bytes',
  servers: { raw: 'h2-raw.ts', pulsar: 'wsgi.ts h2c', fastify: 'h2-fastify.ts' },
  request: {},
  reply: { contentType: 'text/plain', body: 'Hello World!\n' },
  targets: [
    { of: ['pulsar', 'raw'], by: 'rate', atLeast: 0.95 },
    { of: ['pulsar', 'fastify'], by: 'rate', atLeast: 1.0 },
  ],
})

export const http2Rpc = h2Suite({
  title: 'JSON-RPC over HTTP/2 (h2c): POST /rpc add(1, 2) -> 200 application/json',
  servers: { raw: 'h2-rpc-raw.ts', pulsar: 'rpc-pulsar.ts h2c', fastify: 'h2-rpc-fastify.ts' },
  request: {
    path: '/rpc',
    headers: { 'content-type': 'application/json' },
    body: '{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}',
  },
  reply: {
    contentType: 'application/json; charset=utf-8',
    body: '{"jsonrpc":"2.0","id":1,"result":3}',
  },
  targets: [
    { of: ['pulsar', 'raw'], by: 'rate', atLeast: 0.95 },
    { of: ['pulsar', 'fastify'], by: 'rate', atLeast: 1.0 },
  ],
})
