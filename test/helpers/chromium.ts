/**
 * Debian's Chromium for browser tests, driven by playwright-core (never a
 * downloaded browser), headless on a profile of its own.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { type BrowserContext, chromium } from 'playwright-core'

import { HANG_MS } from './process.js'

const CHROMIUM = '/usr/bin/chromium'
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
]

/** A running Chromium: its context, and `close()`, which ends it and removes its profile. */
export interface Browser {
  context: BrowserContext
  close(): Promise<void>
}

/** What a test may ask of the browser: credentials to answer with, or trust in any certificate (a self-signed one). */
export interface ChromiumOptions {
  httpCredentials?: { username: string; password: string }
  /** @default false */
  ignoreHTTPSErrors?: boolean
}

/** Launches headless Chromium on a fresh profile; throws when it is not installed. */
export async function launchChromium(options: ChromiumOptions = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is required by this test: apt-get install -y chromium`)
  const profile = mkdtempSync(join(tmpdir(), 'pulsar-chromium-'))
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      timeout: HANG_MS,
      ...options,
    })
    return {
      context,
      close: async () => {
        await context.close()
        rmSync(profile, { recursive: true, force: true })
      },
    }
  } catch (error) {
    rmSync(profile, { recursive: true, force: true })
    throw error
  }
}
