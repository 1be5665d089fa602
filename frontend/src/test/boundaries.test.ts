// @vitest-environment node
/// <reference types="node" />
/**
 * The import boundaries and the query-key rule are real: ESLint (the same eslint.config.js that
 * `npm run lint` uses) rejects a deliberately wrong import, and accepts the allowed one.
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const frontendDir = fileURLToPath(new URL('../..', import.meta.url));
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: frontendDir });
});

/** The rule ids ESLint reports for `code` as if it were the file at `filePath` (relative to frontend/). */
async function errorsFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${frontendDir}/${filePath}` });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('import boundaries (eslint-plugin-boundaries)', () => {
  it('rejects a deep import into another feature', async () => {
    const errors = await errorsFor(
      'src/features/dashboard/zz-fixture.ts',
      "import { useServices } from '../runbooks/api/runbooks';\nexport const s = useServices;\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^boundaries\/dependencies: feature "src\/features\/dashboard" may not import feature "src\/features\/runbooks"/);
  });

  it("accepts the same import through the feature's index.ts, and the feature's own files", async () => {
    const errors = await errorsFor(
      'src/features/dashboard/zz-fixture.ts',
      [
        "import { useServices } from '../runbooks';",
        "import { sortFrom } from './sort';",
        "import { api } from '../../api/client';",
        "import { formatCount } from '../../lib/format';",
        "import { ErrorState } from '../../components/States';",
        'export { useServices, sortFrom, api, formatCount, ErrorState };',
        '',
      ].join('\n'),
    );
    expect(errors).toEqual([]);
  });

  it('rejects a feature importing the app, and shared code importing a feature', async () => {
    expect(
      await errorsFor('src/features/incidents/zz-fixture.ts', "import { Layout } from '../../app/Layout';\nexport { Layout };\n"),
    ).toEqual([expect.stringMatching(/^boundaries\/dependencies: feature .* may not import app/)]);
    expect(
      await errorsFor('src/components/zz-fixture.ts', "import { useAuth } from '../features/auth';\nexport { useAuth };\n"),
    ).toEqual([expect.stringMatching(/^boundaries\/dependencies: components .* may not import feature/)]);
  });

  it('keeps the notifications feature behind its entry: the runbooks page reaches channels only through index.ts', async () => {
    expect(
      await errorsFor(
        'src/features/runbooks/components/zz-fixture.ts',
        "import { useTestChannel } from '../../notifications/api/notifications';\nexport { useTestChannel };\n",
      ),
    ).toEqual([expect.stringMatching(/^boundaries\/dependencies: feature "src\/features\/runbooks" may not import feature "src\/features\/notifications"/)]);
    expect(
      await errorsFor('src/features/runbooks/components/zz-fixture.ts', "import { useChannels } from '../../notifications';\nexport { useChannels };\n"),
    ).toEqual([]);
  });

  it('rejects a lazily imported page reached around the feature entry', async () => {
    expect(
      await errorsFor('src/app/zz-fixture.ts', "export const load = () => import('../features/metrics/components/MetricsPage');\n"),
    ).toEqual([expect.stringMatching(/^boundaries\/dependencies: app .* may not import feature "src\/features\/metrics"/)]);
  });
});

describe('query keys', () => {
  it('rejects an inline array key outside src/api/queryKeys.ts', async () => {
    const errors = await errorsFor(
      'src/features/runbooks/zz-fixture.ts',
      [
        "import type { QueryClient } from '@tanstack/react-query';",
        "export const refresh = (qc: QueryClient) => qc.invalidateQueries({ queryKey: ['runbooks'] });",
        "export const write = (qc: QueryClient) => qc.setQueryData(['services'], []);",
        '',
      ].join('\n'),
    );
    expect(errors).toEqual([
      expect.stringMatching(/^no-restricted-syntax: Take React Query keys from src\/api\/queryKeys\.ts/),
      expect.stringMatching(/^no-restricted-syntax: Take React Query keys from src\/api\/queryKeys\.ts/),
    ]);
  });
});
