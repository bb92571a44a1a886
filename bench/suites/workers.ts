/**
 * One machine, every core: the hello app through an arbiter with one worker
 * against two workers (issue 7). The load generator (autocannon, in the
 * bench's own process) takes one core of its own, so on a 2-core machine two
 * workers and the load compete for two cores: read the ratio with that in mind.
 * CPU and RSS are the arbiter's and its workers' together; allocation is not
 * counted across processes.
 */
import { httpSuite } from '../http-load.js'
import { helloAnswer, helloLoad } from './hello.js'

export const workers = httpSuite({
  title: 'Workers: GET / (hello) through --workers 1 and --workers 2',
  servers: { 'workers 1': 'workers.ts --workers 1', 'workers 2': 'workers.ts --workers 2' },
  load: helloLoad,
  check: helloAnswer,
  targets: [],
})
