/** Redis servers for the tests (see redis-server.ts), each stopped and removed after its test file. */
import { afterAll } from 'vitest'

import { type RedisServer, startRedisServer } from './redis-server.js'

export type { RedisServer } from './redis-server.js'

const running = new Set<RedisServer>()

afterAll(async () => {
  await Promise.all([...running].map((server) => server.remove()))
  running.clear()
})

/** Starts a redis-server of its own on a free loopback port, removed after the test file. */
export async function startRedis(): Promise<RedisServer> {
  const server = await startRedisServer()
  running.add(server)
  return server
}
