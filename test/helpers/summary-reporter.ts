/**
 * Prints the plain `N passed, N failed` line CI reads, after vitest's own
 * summary. A test file that failed to load counts as one failure.
 */
import type { Reporter, TestModule } from 'vitest/node'

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[], unhandledErrors: readonly unknown[]): void {
    let passed = 0
    let failed = unhandledErrors.length
    for (const module of testModules) {
      let tests = 0
      for (const test of module.children.allTests()) {
        tests++
        const state = test.result().state
        if (state === 'passed') passed++
        else if (state === 'failed') failed++
      }
      if (tests === 0 && module.state() === 'failed') failed++
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed\n`)
  }
}
