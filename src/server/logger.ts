/**
 * Logging. pino does the work; pulsar-ts only depends on this small interface,
 * so an application may pass any pino-compatible logger.
 * @module
 */
import { pino } from 'pino'

import type { Config } from './config.js'

type LogFn = {
  (message: string): void
  (fields: object, message?: string): void
}

/** The logger interface pulsar-ts writes to (pino's, and any compatible one). */
export interface Logger {
  fatal: LogFn
  error: LogFn
  warn: LogFn
  info: LogFn
  debug: LogFn
  trace: LogFn
  child(bindings: Record<string, unknown>): Logger
}

/** A pino logger writing JSON lines to stdout at the configured level. */
export function createLogger(cfg: Pick<Config, 'log_level'>): Logger {
  return pino({ name: 'pulsar-ts', level: cfg.log_level })
}
