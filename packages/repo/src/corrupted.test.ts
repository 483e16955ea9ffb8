/**
 * Damaged repositories (fixtures/restic/README.md): each gives the right code and names the file.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RepoError, idFromHex, openRepository, readPackHeader } from '@highwater/repo';
import { FIXTURES, FIXTURE_PASSWORD, localBackend, openFixture } from './repo.test-util.js';

const RANDOM_PACK = '44a67dc48e7e85d5e599de23875aca348a22080ba3a42a4f1dd35e82b1c834f2';

function open(name: string, password = FIXTURE_PASSWORD, index: 'packed' | 'naive' = 'packed') {
  if (password === FIXTURE_PASSWORD && name !== 'does-not-exist' && name !== 'v2-unknown-version') return openFixture(name, { index });
  return openRepository({ backend: localBackend(join(FIXTURES, name)), password, choices: { index, cacheDir: null } });
}

async function caught(p: Promise<unknown>): Promise<RepoError & { subject?: string }> {
  try {
    await p;
  } catch (err) {
    return err as RepoError;
  }
  throw new Error('expected a rejection');
}

describe('damaged repositories', () => {
  it('wrong password: WRONG_PASSWORD', async () => {
    const err = await caught(open('v1', 'not the password'));
    expect(err).toBeInstanceOf(RepoError);
    expect(err.code).toBe('WRONG_PASSWORD');
    expect(err.message).toBe('wrong password or no key found (tried 1 key file)');
  });

  it('no repository: NO_REPOSITORY', async () => {
    const err = await caught(open('does-not-exist'));
    expect(err.code).toBe('NO_REPOSITORY');
    expect(err.message).toMatch(/^no repository at .*does-not-exist \(no config file\)$/);
  });

  it('unknown repository version: UNSUPPORTED_VERSION naming config', async () => {
    const err = await caught(open('v2-unknown-version'));
    expect(err.code).toBe('UNSUPPORTED_VERSION');
    expect(err.file).toBe('config');
    expect(err.message).toMatch(/^config: unsupported repository version 3/);
  });

  it('truncated pack: PACK_TRUNCATED naming the pack, from its header and from the index', async () => {
    const r = await open('v2-truncated-pack');
    const err = await caught(readPackHeader({ backend: r.backend, key: r.key, packId: idFromHex(RANDOM_PACK), version: 2 }));
    expect(err.code).toBe('PACK_TRUNCATED');
    expect(err.file).toBe(`data/${RANDOM_PACK}`);
    const ir = await r.loadIndex();
    const blob = [...ir.index.entries()].find((e) => Buffer.from(e.packId).toString('hex') === RANDOM_PACK && e.offset + e.length > 20505 - 1000)!;
    const e2 = await caught(ir.loadBlob(blob.type, blob.id));
    expect(e2.code).toBe('PACK_TRUNCATED');
    expect(e2.file).toContain(`data/${RANDOM_PACK}`);
  });

  it('flipped byte in a pack: MAC_MISMATCH naming the pack and the blob', async () => {
    const ir = await (await open('v2-flipped-pack')).loadIndex();
    const blob = [...ir.index.entries()].find((e) => Buffer.from(e.packId).toString('hex') === RANDOM_PACK && e.offset <= 100 && e.offset + e.length > 100)!;
    const err = await caught(ir.loadBlob(blob.type, blob.id));
    expect(err.code).toBe('MAC_MISMATCH');
    expect(err.file).toContain(`data/${RANDOM_PACK}`);
    expect(err.message).toContain(Buffer.from(blob.id).toString('hex'));
    // The header is intact.
    const entries = await readPackHeader({ backend: ir.backend, key: ir.key, packId: idFromHex(RANDOM_PACK), version: 2 });
    expect(entries.length).toBeGreaterThan(0);
  });

  for (const index of ['packed', 'naive'] as const) {
    it(`corrupted index file: MAC_MISMATCH naming it (index ${index})`, async () => {
      const r = await open('v1-corrupted-index', FIXTURE_PASSWORD, index);
      const err = await caught(r.loadIndex());
      expect(err.code).toBe('MAC_MISMATCH');
      expect(err.message).toContain('index/23c68d71e0413006188a9f49a7218ef24950fc549ce0ba65c3ebac1a742f030f');
    });

    it(`index file that is not an index: BAD_INDEX naming it (index ${index})`, async () => {
      const r = await open('v1-bad-index-json', FIXTURE_PASSWORD, index);
      const err = await caught(r.loadIndex());
      expect(err.code).toBe('BAD_INDEX');
      expect(err.message).toContain('016d58a8e3f77f0d5037d3d3330b3e91ec2c6114066b31ffe1394a231d08b956');
    });
  }

  it('corrupted index file read directly: MAC_MISMATCH with file index/<name>', async () => {
    const r = await open('v1-corrupted-index');
    const err = await caught(r.loadUnpacked('index', '23c68d71e0413006188a9f49a7218ef24950fc549ce0ba65c3ebac1a742f030f'));
    expect(err.code).toBe('MAC_MISMATCH');
    expect(err.file).toBe('index/23c68d71e0413006188a9f49a7218ef24950fc549ce0ba65c3ebac1a742f030f');
  });

  it('missing blob: BLOB_NOT_FOUND; missing snapshot: NOT_FOUND', async () => {
    const ir = await (await open('v1')).loadIndex();
    const err = await caught(ir.loadBlob('data', idFromHex('00'.repeat(32))));
    expect(err.code).toBe('BLOB_NOT_FOUND');
    const e2 = await caught(ir.loadUnpacked('snapshot', 'ab'.repeat(32)));
    expect(e2.code).toBe('NOT_FOUND');
    expect(e2.file).toBe(`snapshots/${'ab'.repeat(32)}`);
  });
});
