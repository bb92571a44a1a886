/**
 * WSGIServer: the gateway as a program (pulsar's name). Its settings come
 * from the settings table, its constructor options, and, with `start()`, the
 * command line, `PULSAR_*` variables and a config file; `start()` serves in
 * this process or becomes the arbiter of workers that run the same program.
 * @module
 */
import { basename } from 'node:path'

import { Gateway } from '../server/server.js'
import type { Config } from '../wsgi/config.js'
import type { Callable, Logger, ServerInfo, WsgiApp } from '../wsgi/types.js'
import { version } from '../wsgi/version.js'
import type { Arbiter } from './arbiter.js'
import { createLogger } from './logger.js'
import { runProgram } from './program.js'
import { resolveConfig } from './settings.js'
import { askCluster } from './worker.js'

/** Settings (any row of the settings table) plus what only code can give. */
export type ServerOptions = Partial<Config> & {
  /** A pino-compatible logger to use instead of creating one. @default a pino logger at `log_level` */
  logger?: Logger
}

/** The asynchronous WSGI server: `new WSGIServer(app).start()`. */
export class WSGIServer extends Gateway {
  /** The arbiter this process became, when `start()` ran with `workers` >= 1. */
  arbiter: Arbiter | undefined
  readonly #options: Partial<Config>
  readonly #ownLogger: boolean
  #logger: Logger | undefined

  constructor(callable: Callable<WsgiApp>, options: ServerOptions = {}) {
    const { logger, ...settings } = options
    super(callable, resolveConfig(settings))
    this.#options = settings
    this.#logger = logger
    this.#ownLogger = logger !== undefined
  }

  /** The server's logger: the one given, else pino at the `log_level` setting. */
  get logger(): Logger {
    return (this.#logger ??= createLogger(this.cfg))
  }

  /**
   * Runs the server as a program: reads the command line (`--help` prints the
   * settings and exits), `PULSAR_*` variables and the config file; then
   * serves in this process and drains on SIGTERM or SIGINT, or, with
   * `workers` >= 1, becomes the arbiter of that many workers, each of which
   * runs this same program (docs/workers.md).
   */
  async start(
    argv: string[] = process.argv.slice(2),
    usage = `node ${basename(process.argv[1] ?? 'server')}`,
  ): Promise<this> {
    this.arbiter = await runProgram(this, argv, usage)
    return this
  }

  /** Applies settings on top of the constructor's options (lowest precedence first). */
  configure(...sources: Partial<Record<keyof Config, unknown>>[]): void {
    if (this.httpServer) throw new Error('Configure the server before it listens')
    this.cfg = resolveConfig(this.#options, ...sources)
    if (!this.#ownLogger) this.#logger = undefined
  }

  /**
   * Facts about the server and its process; in a worker, also every worker's
   * figures as the arbiter last heard them.
   */
  async info(): Promise<ServerInfo> {
    const cluster = await askCluster()
    return {
      software: this.cfg.server_software,
      version,
      node: process.version,
      url: this.url,
      pid: process.pid,
      uptime: process.uptime(),
      requests: this.requests,
      connections: this.connections,
      workers: this.cfg.workers,
      ...(cluster ? { cluster } : {}),
    }
  }
}
