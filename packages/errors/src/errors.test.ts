import { describe, expect, it } from 'vitest';
import { FileError, HighwaterError, InternalError, isHighwaterError, withFile } from '@highwater/errors';

class DemoError extends HighwaterError<'BAD' | 'WORSE'> {
  override readonly name = 'DemoError';
}

describe('HighwaterError', () => {
  it('carries code, file and cause, and keeps the subclass name', () => {
    const cause = new Error('low');
    const err = new DemoError('BAD', 'data/ab: broken', { file: 'data/ab', cause });
    expect(err).toBeInstanceOf(HighwaterError);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ name: 'DemoError', code: 'BAD', file: 'data/ab', message: 'data/ab: broken' });
    expect(err.cause).toBe(cause);
  });

  it('sets no cause property when none is given', () => {
    const err = new DemoError('WORSE', 'x');
    expect('cause' in err).toBe(false);
    expect(err.file).toBeUndefined();
  });

  it('isHighwaterError matches the class and, when given, the code', () => {
    const err = new DemoError('BAD', 'x');
    expect(isHighwaterError(err)).toBe(true);
    expect(isHighwaterError(err, 'BAD')).toBe(true);
    expect(isHighwaterError(err, 'WORSE')).toBe(false);
    expect(isHighwaterError(Object.assign(new Error('x'), { code: 'BAD' }))).toBe(false);
  });

  it('withFile prefixes the file only when there is one', () => {
    expect(withFile('config', 'bad')).toBe('config: bad');
    expect(withFile(null, 'bad')).toBe('bad');
    expect(withFile(undefined, 'bad')).toBe('bad');
    expect(withFile('', 'bad')).toBe('bad');
  });
});

describe('FileError', () => {
  class PackError extends FileError<'BAD_PACK'> {
    override readonly name = 'PackError';
  }

  it('starts the message with the file, named as file or as subject', () => {
    expect(new PackError('BAD_PACK', 'too short', { file: 'data/ab' })).toMatchObject({ name: 'PackError', code: 'BAD_PACK', file: 'data/ab', message: 'data/ab: too short' });
    expect(new PackError('BAD_PACK', 'too short', { subject: 'keys/cd' })).toMatchObject({ file: 'keys/cd', message: 'keys/cd: too short' });
    expect(new PackError('BAD_PACK', 'too short')).toMatchObject({ file: undefined, message: 'too short' });
    expect(new PackError('BAD_PACK', 'x')).toBeInstanceOf(HighwaterError);
  });
});

describe('InternalError', () => {
  it('is one class with the name the cli prints as "please report"', () => {
    const err = new InternalError('impossible', { cause: 1 });
    expect(err).toBeInstanceOf(InternalError);
    expect(err.name).toBe('InternalError');
    expect(err.cause).toBe(1);
    expect(err).not.toBeInstanceOf(HighwaterError);
  });
});
