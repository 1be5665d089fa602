// Starts the real backend on a fresh SQLite database and a free port, and drives Debian's Chromium.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const frontendDir = resolve(here, '..');
const backendDir = resolve(frontendDir, '../backend');
const distDir = join(frontendDir, 'dist');
export const artifactsDir = join(here, 'artifacts');

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

async function waitHealthy(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`backend exited early with ${child.exitCode}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.status === 200) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`backend not healthy at ${url} after ${timeoutMs} ms`);
}

/** The backend on a fresh database, serving dist/ at /ui/. Call stop() when done. */
export async function startBackend() {
  if (!existsSync(join(distDir, 'index.html'))) {
    throw new Error('frontend/dist is not built: run `npm run build` before `npm run e2e`.');
  }
  const python = process.env.BACKEND_PYTHON ?? join(backendDir, '.venv/bin/python');
  const port = await freePort();
  const db = join(tmpdir(), `incident-console-e2e-${process.pid}-${Date.now()}.db`);
  const logs = [];
  const child = spawn(python, ['-m', 'uvicorn', 'app.main:app', '--host', '127.0.0.1', '--port', String(port)], {
    cwd: backendDir,
    env: {
      ...process.env,
      DATABASE_URL: `sqlite+aiosqlite:///${db}`,
      FRONTEND_DIST: distDir,
      APP_ENV: process.env.APP_ENV ?? 'development',
      SEED_DEMO_DATA: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => logs.push(String(d)));
  child.stderr.on('data', (d) => logs.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(url, child);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${e.message}\n${logs.join('')}`);
  }
  return {
    url,
    logs,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(db + suffix, { force: true });
      rmSync(db.replace(/\.db$/, '.startup.lock'), { force: true });
    },
  };
}

/** A browser page that records console errors and uncaught page errors, and takes numbered screenshots. */
export async function openBrowser(name) {
  mkdirSync(artifactsDir, { recursive: true });
  for (const old of readdirSync(artifactsDir)) {
    if (old.startsWith(`${name}-`)) rmSync(join(artifactsDir, old), { force: true });
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true, timezoneId: 'UTC' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems = [];
  // A refused close (409) or a rejected login (401) is part of the script; Chromium logs those responses.
  const expected = /Failed to load resource: the server responded with a status of (401|409)/;
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !expected.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  let step = 0;
  return {
    browser,
    page,
    problems,
    async shot(label) {
      step += 1;
      const file = join(artifactsDir, `${name}-${String(step).padStart(2, '0')}-${label}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await browser.close();
    },
  };
}

export async function login(page, baseUrl, username, password = 'demo123') {
  await page.goto(`${baseUrl}/ui/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
}

const axeSource = await import('node:fs').then((fs) =>
  fs.readFileSync(join(frontendDir, 'node_modules/axe-core/axe.min.js'), 'utf8'),
);

/** WCAG 2.2 A/AA violations on the current page (axe-core), as readable lines. */
export async function accessibilityViolations(page) {
  // Evaluated through the DevTools protocol: the console's CSP (script-src 'self') stays on.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} ${n.failureSummary ?? ''}`),
    }));
  });
  return violations.map((v) => `${v.id}: ${v.help}\n    ${v.nodes.join('\n    ')}`);
}
