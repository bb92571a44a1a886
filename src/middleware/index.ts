/**
 * Generic middleware: compression, default and secure headers, CORS, and
 * pulsar's request middleware (clean paths, authorization, wait for body).
 * @module
 */
export { BaseResponseMiddleware } from './response-middleware.js'
export {
  CompressionMiddleware,
  GZipMiddleware,
  compression,
  isCompressible,
  type CompressionFilter,
  type CompressionOptions,
} from './compression.js'
export type { Encoding } from './codecs.js'
export { negotiateEncoding } from './encoding.js'
export { addVary } from './vary.js'
export {
  defaultHeaders,
  secureHeaders,
  type DefaultHeadersOptions,
  type HstsOptions,
  type SecureHeadersOptions,
} from './headers.js'
export {
  AccessControl,
  type AccessControlOptions,
  type AllowedOrigins,
  type OriginCheck,
} from './access-control.js'
export { cleanPathMiddleware } from './clean-path.js'
export {
  authorizationMiddleware,
  parseAuthorization,
  type Authorization,
  type BasicAuthorization,
  type BearerAuthorization,
} from './authorization.js'
export { waitForBodyMiddleware } from './wait-for-body.js'
