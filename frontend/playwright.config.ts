/**
 * End-to-end: @playwright/test drives Debian's Chromium (never a downloaded browser) against
 * the real backend, which each spec file starts on a fresh SQLite database and a free port
 * (e2e/harness.ts). Needs dist/: `npm run build` first.
 */
import { defineConfig } from '@playwright/test';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  testMatch: '*.spec.ts',
  outputDir: 'test-results',
  // One backend and one page per spec file, its tests in order; spec files are independent
  // (each starts its own backend on a free port and a fresh database), so two run at once,
  // one per core of the CI machine.
  workers: 2,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  reporter: process.env.CI ? [['list'], ['junit', { outputFile: 'test-results/junit.xml' }]] : 'list',
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    },
    trace: 'off',
    screenshot: 'off',
    video: 'off',
  },
});
