/**
 * A server as a program: its settings from the command line, `PULSAR_*`
 * variables and a config file; `--help`; and what the process becomes: a
 * single server, an arbiter of workers, or one of those workers.
 * @module
 */
import cluster from 'node:cluster'
import { unlinkSync, writeFileSync } from 'node:fs'

import type { Gateway } from '../server/server.js'
import type { Config } from '../wsgi/config.js'
import { Arbiter } from './arbiter.js'
import { fromArgv, fromEnv, fromFile, helpText } from './settings.js'
import { heedArbiter, serveAsWorker } from './worker.js'

/** A gateway whose settings a program may still change (a `WSGIServer`). */
export interface Configurable extends Gateway {
  configure(...sources: Partial<Record<keyof Config, unknown>>[]): void
}

/**
 * Reads the settings a program is given, on top of the server's own options;
 * prints the help and exits 0 for `--help`, or an error and exits 2.
 */
async function configure(server: Configurable, argv: string[], usage: string): Promise<void> {
  try {
    const parsed = fromArgv(argv)
    if (parsed.positionals.length)
      throw new TypeError(`Unexpected argument "${parsed.positionals[0]}"`)
    if (parsed.help) {
      process.stdout.write(helpText(usage) + '\n')
      process.exit(0)
    }
    const env = fromEnv()
    const file = parsed.values.config ?? env.config ?? server.cfg.config
    const fileValues = typeof file === 'string' && file ? await fromFile(file) : {}
    // a worker binds the port its arbiter pinned (when asked for port 0)
    const pinned: Partial<Config> = process.env.PULSAR_ARBITER_BIND
      ? { bind: process.env.PULSAR_ARBITER_BIND }
      : {}
    server.configure(fileValues, env, parsed.values, pinned)
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\nTry --help for the list of settings.\n`)
    process.exit(2)
  }
}

function writePidFile(cfg: Readonly<Config>): void {
  if (!cfg.pid_file) return
  writeFileSync(cfg.pid_file, `${process.pid}\n`)
  process.once('exit', () => {
    try {
      unlinkSync(cfg.pid_file)
    } catch {
      // already gone: nothing to clean up
    }
  })
}

/**
 * Runs `server` as the program this process is (see `WSGIServer.start()`);
 * returns the Arbiter when this process became one.
 */
export async function runProgram(
  server: Configurable,
  argv: string[],
  usage: string,
): Promise<Arbiter | undefined> {
  // a worker heeds a stop from its first moment (docs/workers.md, "Stopping a worker")
  if (cluster.isWorker) heedArbiter()
  await configure(server, argv, usage)
  const { cfg } = server
  if (cluster.isWorker) {
    process.title = `${cfg.process_name}: worker ${cluster.worker!.id}`
    await serveAsWorker(server)
    return undefined
  }
  writePidFile(cfg)
  if (cfg.workers > 0) {
    const arbiter = new Arbiter(cfg, server.logger)
    await arbiter.run()
    return arbiter
  }
  process.title = cfg.process_name
  await server.listen()
  const stop = (signal: string) => {
    server.logger.info(`Received ${signal}: draining connections`)
    void server.close().then(() => process.exit(0))
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  return undefined
}
