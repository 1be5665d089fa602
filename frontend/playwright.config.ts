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
  // One backend and one page per spec file (or per group of one, as in comfort.spec.ts), its
  // tests in order; spec files are independent (each starts its own backend on a free port and
  // a fresh database), so three run at once on the CI machine's two cores: a minute of several
  // specs is spent waiting on a real clock (an SLA falling due, a token expiring). E2E_WORKERS
  // sets another number.
  workers: Number(process.env.E2E_WORKERS ?? 3),
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
