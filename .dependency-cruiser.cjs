/**
 * The dependency rule of docs/architecture.md, checked by `npm run lint:deps` (and so by
 * `npm test` and CI): which package's code may import which. A package may import only the
 * packages listed for it (and itself); tests (*.test.ts, *.test-util.ts) and benchmarks
 * (*.bench.mjs) are not checked.
 * Arrows the design is removing are listed in .dependency-cruiser-known-violations.json
 * (refresh with `npm run lint:deps:baseline` only when one has gone, never to add one).
 */
const { existsSync } = require('node:fs');

/** Package -> the packages its code may import. Lower layers first. */
const ALLOWED = {
  errors: [],
  probe: [],
  zstd: ['errors', 'probe'],
  crypto: ['errors', 'probe'],
  chunker: ['errors'],
  backend: ['errors'],
  repo: ['errors', 'probe', 'crypto', 'backend', 'zstd'],
  engine: ['errors', 'probe', 'chunker', 'backend', 'repo'],
  server: ['errors', 'backend'],
  shapes: ['errors', 'chunker', 'repo'],
  harness: ['errors', 'probe', 'shapes'],
  report: ['errors', 'harness'],
  cli: ['errors', 'probe', 'zstd', 'crypto', 'chunker', 'backend', 'repo', 'engine', 'server', 'shapes', 'harness', 'report'],
};

const TESTS = '\\.test\\.ts$|\\.test-util\\.ts$|\\.bench\\.mjs$';

module.exports = {
  forbidden: [
    ...Object.entries(ALLOWED).map(([pkg, may]) => ({
      name: `${pkg}-imports-only-${may.length === 0 ? 'nothing' : may.join('-')}`,
      comment: `packages/${pkg} may import ${may.length === 0 ? 'no other package' : may.join(', ')} (docs/architecture.md)`,
      severity: 'error',
      from: { path: `^packages/${pkg}/src/`, pathNot: TESTS },
      to: { path: '^packages/[^/]+/', pathNot: `^packages/(${[pkg, ...may].join('|')})/` },
    })),
    {
      name: 'resolvable-workspace-imports',
      comment: 'an @highwater import that does not resolve: build first (npm run build), or the package does not export that path',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: '^@highwater/', couldNotResolve: true },
    },
    {
      name: 'no-unknown-package',
      comment: 'a package the rule does not name: add it to ALLOWED in .dependency-cruiser.cjs and to docs/architecture.md',
      severity: 'error',
      from: { path: `^packages/(?!(${Object.keys(ALLOWED).join('|')})/)[^/]+/src/`, pathNot: TESTS },
      to: {},
    },
  ],
  options: {
    // another package's built code is where an import lands, not a module to cruise further
    doNotFollow: { path: '(^|/)(dist|node_modules)/' },
    includeOnly: '^(packages/|@highwater/)',
    // type-only imports are arrows too
    tsPreCompilationDeps: true,
    ...(existsSync('tsconfig.base.json') ? { tsConfig: { fileName: 'tsconfig.base.json' } } : {}),
    // `@highwater/x` resolves through the workspace link to packages/x (its package.json exports)
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'], extensions: ['.ts', '.js', '.d.ts'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
