import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBackendConformance } from './conformance.js';
import { LocalBackend, MemBackend } from './index.js';

describeBackendConformance('local', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hw-local-'));
  return { backend: new LocalBackend({ path: join(dir, 'repo') }), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describeBackendConformance('mem', async () => ({ backend: new MemBackend(), cleanup: async () => {} }));
