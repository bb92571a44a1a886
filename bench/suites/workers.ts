/**
 * One machine, every core: the hello app through an arbiter with one worker
 * against two workers (issue 7). The load generator (autocannon, in the
 * bench's own process) takes one core of its own, so on a 2-core machine two
 * workers and the load compete for two cores: read the ratio with that in mind.
 */
import type { Suite } from '../lib.js'
import { hello } from './hello.js'

export const workers: Suite = {
  title: 'Workers: GET / (hello) through --workers 1 and --workers 2',
  servers: { 'workers 1': 'workers.ts --workers 1', 'workers 2': 'workers.ts --workers 2' },
  load: hello.load,
  check: hello.check,
  targets: [],
}
