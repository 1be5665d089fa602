// The first screen's JavaScript (the entry chunk and what it preloads) stays under 200 KB gzipped.
import { test } from '@playwright/test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { frontendDir } from './harness';

const LIMIT = 200 * 1024;

test('first-screen JavaScript is at most 200 KB gzipped, with the charts split out', () => {
  const dist = join(frontendDir, 'dist');
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const files = [
    ...html.matchAll(/<script[^>]+src="\/ui\/([^"]+\.js)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/ui\/([^"]+\.js)"/g),
  ].map((m) => m[1]);
  assert.ok(files.length > 0, 'index.html loads an entry script');
  let total = 0;
  for (const file of files) {
    const source = readFileSync(join(dist, file));
    assert.doesNotMatch(source.toString('utf8'), /recharts-surface/, `${file} must not carry Recharts`);
    total += gzipSync(source, { level: 9 }).length;
  }
  console.log(`first-screen JS: ${(total / 1024).toFixed(1)} KB gzipped in ${files.length} file(s)`);
  assert.ok(total <= LIMIT, `first-screen JS is ${(total / 1024).toFixed(1)} KB gzipped, over 200 KB`);
});
