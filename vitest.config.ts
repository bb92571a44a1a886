import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const PACKAGE = 'test/package/**/*.test.ts'
const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url))

export default defineConfig({
  resolve: {
    alias: [
      { find: /^pulsar-ts$/, replacement: src('index.ts') },
      { find: /^pulsar-ts\/testing$/, replacement: src('process/testing.ts') },
      { find: /^pulsar-ts\/router$/, replacement: src('router/index.ts') },
      { find: /^pulsar-ts\/websocket$/, replacement: src('websocket/index.ts') },
      { find: /^pulsar-ts\/rpc$/, replacement: src('rpc/index.ts') },
    ],
  },
  test: {
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [PACKAGE] } },
      // the packed package is built, installed and compiled: CPU-heavy, so it runs
      // after the other tests, whose deadlines (heartbeats, timeouts) it would starve
      { extends: true, test: { name: 'package', include: [PACKAGE], sequence: { groupOrder: 1 } } },
    ],
    testTimeout: 15_000,
    hookTimeout: 15_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      exclude: ['src/**/types.ts'],
    },
  },
})
