/**
 * Logging. pino does the work; pulsar-ts only depends on the `Logger`
 * interface of the contract, so an application may pass any pino-compatible
 * logger.
 * @module
 */
import { pino } from 'pino'

import type { Config } from '../wsgi/config.js'
import type { Logger } from '../wsgi/types.js'

/** A pino logger writing JSON lines to stdout at the configured level. */
export function createLogger(cfg: Pick<Config, 'log_level'>): Logger {
  return pino({ name: 'pulsar-ts', level: cfg.log_level })
}
