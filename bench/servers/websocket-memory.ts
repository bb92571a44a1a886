/**
 * What both WebSocket bench servers answer on GET /memory: the process's
 * memory right after a full garbage collection, as JSON.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** The memory figures after a full collection (run twice: finalizers free more on the second). */
export function memoryAfterGc(): string {
  gc()
  gc()
  return JSON.stringify(process.memoryUsage())
}
