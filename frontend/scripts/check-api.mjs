// Fails when src/api/schema.d.ts is stale: regenerates it from openapi.json into a temp file and compares.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const spec = join(root, 'openapi.json');
const committed = join(root, 'src/api/schema.d.ts');

if (!existsSync(spec)) {
  console.error(`check:api: ${spec} is missing (dump it from the backend first).`);
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'schema-'));
const fresh = join(dir, 'schema.d.ts');
try {
  execFileSync(join(root, 'node_modules/.bin/openapi-typescript'), [spec, '-o', fresh], { stdio: 'pipe' });
  const a = readFileSync(committed, 'utf8');
  const b = readFileSync(fresh, 'utf8');
  if (a !== b) {
    console.error('check:api: src/api/schema.d.ts is stale. Run `npm run gen:api` and commit the result.');
    process.exit(1);
  }
  console.log('check:api: src/api/schema.d.ts matches openapi.json');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
