/**
 * A real redis-server (Debian's package) of its own, for the tests and the
 * bench: on a free loopback port, with no persistence, in a temporary
 * directory. A missing redis-server fails loudly: CI installs it (.ci/run),
 * so its absence is a broken machine, not a reason to skip.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const BINARY = process.env.REDIS_SERVER ?? 'redis-server'

export interface RedisServer {
  port: number
  url: string
  /** Stops the server (SIGKILL: clients see the connection drop) and waits for its exit. */
  stop(): Promise<void>
  /** Starts it again on the same port; resolves once it answers PING. */
  start(): Promise<void>
  /** Stops it and removes its directory. */
  remove(): Promise<void>
}

async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise((resolve) => probe.close(resolve))
  return port
}

/** Resolves once the server on `port` answers PING; rejects after `ms`. */
async function answering(port: number, child: ChildProcess, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`)
    const pong = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.setTimeout(500, () => socket.destroy())
      socket.once('connect', () => socket.write('PING\r\n'))
      socket.once('data', (data) => {
        socket.destroy()
        resolve(data.toString().startsWith('+PONG'))
      })
      socket.once('error', () => resolve(false))
      socket.once('close', () => resolve(false))
    })
    if (pong) return
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} does not answer`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Starts a redis-server of its own on a free loopback port. */
export async function startRedisServer(): Promise<RedisServer> {
  const found = spawnSync(BINARY, ['--version'], { encoding: 'utf8' })
  if (found.error || found.status !== 0)
    throw new Error(
      `redis-server is required by these tests and was not found (${found.error?.message ?? found.stderr}); install it: apt-get install -y redis-server`,
    )
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'pulsar-redis-'))
  let child: ChildProcess | undefined
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    async start() {
      if (child && child.exitCode === null) return
      const started = spawn(
        BINARY,
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
        ],
        { stdio: 'ignore' },
      )
      child = started
      await answering(port, started)
    },
    async stop() {
      const stopping = child
      child = undefined
      if (!stopping || stopping.exitCode !== null || stopping.signalCode !== null) return
      const exited = new Promise((resolve) => stopping.once('exit', resolve))
      stopping.kill('SIGKILL')
      await exited
    },
    async remove() {
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  await server.start()
  return server
}
