// @vitest-environment node
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

describe('the generated client types', () => {
  it('match the committed openapi.json (run `npm run gen:api` when this fails)', () => {
    const root = resolve(__dirname, '../..');
    const run = () => execFileSync(process.execPath, [resolve(root, 'scripts/check-api.mjs')], { cwd: root, stdio: 'pipe' });
    expect(run).not.toThrow();
  }, 30_000);
});
