import { RestBackend } from '@highwater/backend';
import { describeBackendConformance } from '@highwater/backend/conformance';
import { startTestServer } from './test-server.test-util.js';

describeBackendConformance('rest (highwater server, no auth)', async () => {
  const s = await startTestServer();
  return { backend: new RestBackend({ url: `rest:${s.url}repo/` }), cleanup: () => s.stop() };
});

describeBackendConformance(
  'rest (highwater server, htpasswd, nested repo)',
  async () => {
    const s = await startTestServer({ users: { alice: 'wonder land' }, privateRepos: true });
    return { backend: new RestBackend({ url: `rest:http://alice:${encodeURIComponent('wonder land')}@127.0.0.1:${s.port}/alice/repo/` }), cleanup: () => s.stop() };
  },
  { largeSize: 33 * 1024 * 1024 + 7 },
);
