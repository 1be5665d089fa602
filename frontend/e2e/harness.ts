// Starts the real backend on a fresh SQLite database and a free port, and opens a page in the
// Chromium that playwright.config.ts launches (Debian's, through launchOptions.executablePath).
import { test, type Browser, type Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const frontendDir = resolve(here, '..');
const backendDir = resolve(frontendDir, '../backend');
const distDir = join(frontendDir, 'dist');
export const artifactsDir = join(here, 'artifacts');

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => ok(port));
    });
  });
}

async function waitHealthy(url: string, child: ReturnType<typeof spawn>, timeoutMs = 60_000) {
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

export interface Backend {
  url: string;
  logs: string[];
  stop(): Promise<void>;
}

export interface BackendOptions {
  /** Seed the sixty days of demo history (`make run`'s first start) besides today's one live incident. */
  history?: boolean;
  /** Added to the backend's environment (e.g. an OpenID provider's settings). */
  env?: Record<string, string>;
}

/** The backend on a fresh database, serving dist/ at /ui/. Call stop() when done. */
export async function startBackend({ history = false, env = {} }: BackendOptions = {}): Promise<Backend> {
  if (!existsSync(join(distDir, 'index.html'))) {
    throw new Error('frontend/dist is not built: run `npm run build` before `npm run e2e`.');
  }
  const python = process.env.BACKEND_PYTHON ?? join(backendDir, '.venv/bin/python');
  const port = await freePort();
  const db = join(tmpdir(), `incident-console-e2e-${process.pid}-${Date.now()}.db`);
  const logs: string[] = [];
  const child = spawn(python, ['-m', 'uvicorn', 'app.main:app', '--host', '127.0.0.1', '--port', String(port)], {
    cwd: backendDir,
    env: {
      ...process.env,
      DATABASE_URL: `sqlite+aiosqlite:///${db}`,
      FRONTEND_DIST: distDir,
      APP_ENV: process.env.APP_ENV ?? 'development',
      SEED_DEMO_DATA: '1',
      SEED_DEMO_HISTORY: history ? 'true' : 'false',
      ...env,
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
    throw new Error(`${(e as Error).message}\n${logs.join('')}`);
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

export interface Session {
  page: Page;
  /** Console errors and uncaught page errors seen so far. */
  problems: string[];
  /** A numbered full-page screenshot in e2e/artifacts/. */
  shot(label: string): Promise<string>;
  close(): Promise<void>;
}

/** A page that records console errors and uncaught page errors, and takes numbered screenshots. */
export async function openPage(browser: Browser, name: string): Promise<Session> {
  mkdirSync(artifactsDir, { recursive: true });
  for (const old of readdirSync(artifactsDir)) {
    if (old.startsWith(`${name}-`)) rmSync(join(artifactsDir, old), { force: true });
  }
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true, timezoneId: 'UTC' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  // A refused close (409) or a rejected login (401) is part of the script; Chromium logs those responses.
  const expected = /Failed to load resource: the server responded with a status of (401|409)/;
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !expected.test(msg.text())) problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  let step = 0;
  return {
    page,
    problems,
    async shot(label) {
      step += 1;
      const file = join(artifactsDir, `${name}-${String(step).padStart(2, '0')}-${label}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await context.close();
    },
  };
}

/**
 * One spec file's world: a fresh backend and one page, shared by the file's tests in order
 * (as a person would go on from one step to the next), torn down after the last one.
 */
export function useConsole(name: string, options: BackendOptions = {}): () => Session & { server: Backend } {
  test.describe.configure({ mode: 'serial' });
  let server: Backend | undefined;
  let session: Session | undefined;
  test.beforeAll(async ({ browser }, testInfo) => {
    testInfo.setTimeout(120_000);
    server = await startBackend(options);
    session = await openPage(browser, name);
  });
  test.afterAll(async () => {
    await session?.shot('final').catch(() => {});
    await session?.close();
    await server?.stop();
  });
  return () => {
    if (!server || !session) throw new Error('the backend or the page did not start');
    return { ...session, server };
  };
}

/** On a phone the navigation and the account tools fold behind "Menu": unfold them (nothing to
 * do on a desktop, or when they are already unfolded). */
export async function openMenu(page: Page): Promise<void> {
  const toggle = page.getByRole('button', { name: 'Menu', exact: true });
  if ((await toggle.isVisible()) && (await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
}

/** A link of the main navigation, made visible: "Menu" unfolded on a phone, the "Admin" group
 * on a laptop when the link is one of its pages. */
export async function navLink(page: Page, name: string) {
  await openMenu(page);
  const nav = page.getByRole('navigation', { name: 'Main' });
  const link = nav.getByRole('link', { name, exact: true });
  if (!(await link.isVisible())) {
    const group = nav.getByRole('button', { name: 'Admin', exact: true });
    if ((await group.isVisible()) && (await group.getAttribute('aria-expanded')) !== 'true') await group.click();
  }
  return link;
}

export async function login(page: Page, baseUrl: string, username: string, password = 'demo123') {
  await page.goto(`${baseUrl}/ui/`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Incidents', level: 1 }).waitFor();
}

const axeSource = readFileSync(join(frontendDir, 'node_modules/axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  help: string;
  nodes: string[];
}

/** WCAG 2.2 A/AA violations on the current page (axe-core), as readable lines. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the console's CSP (script-src 'self') stays on.
  await page.evaluate(axeSource);
  const violations: AxeViolation[] = await page.evaluate(async () => {
    type AxeResult = {
      violations: { id: string; help: string; nodes: { target: string[]; failureSummary?: string }[] }[];
    };
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<AxeResult> } }).axe;
    const result = await axe.run(document, {
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
