import { describe, expect, it } from 'vitest';
import { HighwaterError, InternalError } from '@highwater/errors';
import { BackendError, InternalError as BackendInternal } from '@highwater/backend';
import { ChunkerError } from '@highwater/chunker';
import { CryptoError, InternalError as CryptoInternal } from '@highwater/crypto';
import { EngineError, InternalError as EngineInternal } from '@highwater/engine';
import { HarnessError, InternalError as HarnessInternal } from '@highwater/harness';
import { RepoError, InternalError as RepoInternal } from '@highwater/repo';
import { ReportError, InternalError as ReportInternal } from '@highwater/report';
import { ShapeError, InternalError as ShapeInternal } from '@highwater/shapes';
import { CliError, describeFailure, EXIT, EXIT_BY_CODE } from './cli-error.js';

describe('one error base', () => {
  it('every package re-exports the one InternalError', () => {
    for (const c of [BackendInternal, CryptoInternal, EngineInternal, HarnessInternal, RepoInternal, ReportInternal, ShapeInternal]) expect(c).toBe(InternalError);
  });

  it('every package error extends HighwaterError with code and file, and keeps its name and message', () => {
    const cases: [HighwaterError, string, string | undefined, string][] = [
      [new BackendError('NOT_FOUND', 'gone'), 'BackendError', undefined, 'gone'],
      [new ChunkerError('BAD_POLYNOMIAL', 'zero', { subject: 'config' }), 'ChunkerError', 'config', 'config: zero'],
      [new CryptoError('MAC_MISMATCH', 'bad tag', { subject: 'keys/ab' }), 'CryptoError', 'keys/ab', 'keys/ab: bad tag'],
      [new EngineError('UNSAFE_PATH', 'no', '/x'), 'EngineError', '/x', 'no'],
      [new HarnessError('BAD_SIZE', 'bad size'), 'HarnessError', undefined, 'bad size'],
      [new RepoError('BAD_INDEX', 'not JSON', { file: 'index/cd' }), 'RepoError', 'index/cd', 'index/cd: not JSON'],
      [new ReportError('RESULT_MALFORMED', 'r.json', 'no runs'), 'ReportError', 'r.json', 'r.json: no runs'],
      [new ReportError('RESULT_MALFORMED', null, 'no runs'), 'ReportError', undefined, 'no runs'],
      [new ShapeError('BAD_SHAPE', 's.json: bad', 's.json'), 'ShapeError', 's.json', 's.json: bad'],
    ];
    for (const [err, name, file, message] of cases) {
      expect(err).toBeInstanceOf(HighwaterError);
      expect(err).toMatchObject({ name, file, message });
    }
  });
});

describe('describeFailure: the one code → exit-code table', () => {
  it('prints any package InternalError as "please report it", exit 1', () => {
    expect(describeFailure(new RepoInternal('two owners'))).toEqual({ line: 'internal error (please report it): two owners', exitCode: EXIT.fatal });
    expect(describeFailure(new HarnessInternal('x')).line).toMatch(/^internal error \(please report it\)/);
  });

  it('maps harness, shapes and report codes to 2 (bad input), RUN_FAILED to 1', () => {
    expect(describeFailure(new HarnessError('UNKNOWN_DEVICE', 'unknown device x'))).toEqual({ line: 'unknown device x', exitCode: 2 });
    expect(describeFailure(new HarnessError('REPO_NOT_FOUND', 'no config')).exitCode).toBe(2);
    expect(describeFailure(new HarnessError('RUN_FAILED', 'restic died')).exitCode).toBe(1);
    expect(describeFailure(new ShapeError('SCALE_TOO_SMALL', 'too small')).exitCode).toBe(2);
    expect(describeFailure(new ReportError('BUDGETS_MALFORMED', 'b.json', 'x')).exitCode).toBe(2);
  });

  it("maps restic's codes: no repository 10, locked 11, wrong password 12; the rest 1", () => {
    expect(describeFailure(new RepoError('NO_REPOSITORY', 'none')).exitCode).toBe(10);
    expect(describeFailure(Object.assign(new Error('locked'), { code: 'LOCK_CONFLICT' })).exitCode).toBe(11);
    expect(describeFailure(new RepoError('WRONG_PASSWORD', 'wrong')).exitCode).toBe(12);
    expect(describeFailure(new CryptoError('WRONG_PASSWORD', 'wrong')).exitCode).toBe(12);
    expect(describeFailure(new RepoError('MAC_MISMATCH', 'bad', { file: 'data/ab' }))).toEqual({ line: 'data/ab: bad', exitCode: 1 });
    expect(describeFailure(new EngineError('UNSAFE_PATH', 'no')).exitCode).toBe(1);
  });

  it('keeps CliError exit codes, EPIPE quiet, and TypeError as an internal error', () => {
    expect(describeFailure(new CliError('x', 3))).toEqual({ line: 'x', exitCode: 3 });
    expect(describeFailure(Object.assign(new Error('pipe'), { code: 'EPIPE' }))).toEqual({ line: '', exitCode: 0 });
    expect(describeFailure(new TypeError('expected a string')).line).toBe('internal error (please report it): expected a string');
  });

  it('lists only exit codes the cli documents', () => {
    const known = new Set<number>(Object.values(EXIT));
    for (const [code, exit] of Object.entries(EXIT_BY_CODE)) expect(known.has(exit), code).toBe(true);
  });
});
