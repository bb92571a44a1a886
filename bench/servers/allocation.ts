/**
 * Bytes a server allocates on its JavaScript heap between `start()` and
 * `stop()`, counted exactly from V8's own figures: each garbage collection
 * reports the heap in use before and after it (node:v8's GCProfiler), so
 * what was allocated is the growth between one collection's end and the
 * next one's start, summed, plus the growth since the last one. Unlike a
 * `process.memoryUsage()` delta it does not depend on when collections
 * happen, and unlike the sampling heap profiler it is not an estimate.
 * It counts JavaScript objects and strings, not the memory of Buffers and
 * ArrayBuffers outside the heap.
 */
import { GCProfiler, getHeapStatistics } from 'node:v8'

let profiler: GCProfiler | undefined
let usedAtStart = 0

/** Starts counting (again, if counting already). */
export function startAllocation(): void {
  profiler?.stop()
  profiler = new GCProfiler()
  profiler.start()
  usedAtStart = getHeapStatistics().used_heap_size
}

/** Bytes allocated since `start()`; NaN when not started. */
export function stopAllocation(): number {
  if (!profiler) return Number.NaN
  const usedAtEnd = getHeapStatistics().used_heap_size
  const { statistics } = profiler.stop()
  profiler = undefined
  let allocated = 0
  let used = usedAtStart
  for (const { beforeGC, afterGC } of statistics) {
    allocated += beforeGC.heapStatistics.usedHeapSize - used
    used = afterGC.heapStatistics.usedHeapSize
  }
  return allocated + usedAtEnd - used
}
