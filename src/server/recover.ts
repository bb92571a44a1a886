/**
 * Error recovery: what a failure becomes once the application ran. Before
 * anything went out it is an error page; after, the connection is cut so the
 * client sees a truncated response; a client that went away gets nothing.
 * @module
 */
import { handleWsgiError, logError } from '../wsgi/error-page.js'
import { AbortWsgi } from '../wsgi/errors.js'
import { type BodyTarget, sendBody } from './body-writer.js'

/** What recovery needs of the failed response. */
export interface FailedResponse extends BodyTarget {
  readonly headersSent: boolean
  readonly aborted: boolean
  /** Whether a protocol upgrade took the socket over. */
  readonly detached: boolean
  /** Cuts the connection. */
  destroy(): void
}

/** Answers a failure (see the module); never rejects. */
export async function recover(response: FailedResponse, error: unknown): Promise<void> {
  const { environ } = response
  const logger = environ['pulsar.cache'].logger
  if (response.detached) return logError(logger, error, environ)
  if (response.aborted || error instanceof AbortWsgi) {
    logger.debug(
      { path: environ.PATH_INFO },
      'Response abandoned: the client went away or the app aborted it',
    )
    return response.destroy()
  }
  if (response.headersSent) {
    logError(logger, error, environ)
    return response.destroy()
  }
  try {
    // excInfo lets the page replace a status the application had set
    const excInfo = error ?? new Error('The application threw undefined')
    await sendBody(response, handleWsgiError(environ, error), excInfo)
  } catch (second) {
    logError(logger, second, environ)
    response.destroy()
  }
}
