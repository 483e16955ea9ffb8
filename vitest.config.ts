import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('./packages/', import.meta.url));

// Tests import packages by name; point those imports at the TypeScript sources so that
// `vitest run` needs no build. Tests that spawn the CLI use the built `dist/` (npm test builds first).
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@highwater\/([a-z-]+)$/, replacement: `${root}$1/src/index.ts` },
      { find: /^@highwater\/([a-z-]+)\/(.+)$/, replacement: `${root}$1/src/$2.ts` },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // GitHub's workflow parser imports its JSON schema without an import attribute: let vite load it.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
