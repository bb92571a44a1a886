/**
 * The HTTP/2 flood fixture (test/fixtures/h2-flood-app.ts) served over h2c
 * in a process of its own, so that a hostile peer that broke the server
 * would show as a dead process, not as a failed test worker.
 */
import { h2connect, h2request } from './h2.js'
import { type Run, listening, run } from './process.js'

/** A running flood server: its process, where it listens, and two questions to ask it. */
export interface FloodServer {
  server: Run
  url: string
  port: number
  /** The fixture's JSON answer at `path` (`/stats`, `/memory`). */
  ask: (path: string) => Promise<Record<string, number>>
  /** Whether a new session still gets a 200. */
  alive: () => Promise<boolean>
}

/** Starts the fixture with `flags` after `--http2 h2c` (the limits a test wants). */
export async function h2FloodServer(flags: string[]): Promise<FloodServer> {
  const server = run([
    '--expose-gc',
    'src/process/cli.ts',
    'test/fixtures/h2-flood-app.ts',
    '--bind',
    '127.0.0.1:0',
    '--http2',
    'h2c',
    ...flags,
  ])
  const url = await listening(server)
  const ask = async (path: string) =>
    JSON.parse((await h2request(h2connect(url), { ':path': path })).text) as Record<string, number>
  const alive = async () => (await h2request(h2connect(url), { ':path': '/' })).status === 200
  return { server, url, port: Number(new URL(url).port), ask, alive }
}
