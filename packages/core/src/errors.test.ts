import { describe, expect, it } from 'vitest';
import { AmfError, DataNotFoundError, InputError, UsageError, isAmfError } from './errors.js';

describe('AmfError', () => {
  it('carries a stable code, details and an exit code', () => {
    const e = new InputError('TSDB_BAD_CRC', 'CRC mismatch', {
      file: 'index',
      section: 'TOC',
      offset: 901,
      hint: 'the file is damaged',
    });
    expect(e.code).toBe('TSDB_BAD_CRC');
    expect(e.exitCode).toBe(2);
    expect(e.name).toBe('InputError');
    expect(e.describe()).toBe('CRC mismatch (index, TOC, offset 901): the file is damaged');
    expect(e).toBeInstanceOf(AmfError);
    expect(e).toBeInstanceOf(InputError);
    expect(e).not.toBeInstanceOf(UsageError);
    expect(new DataNotFoundError('X', 'x').exitCode).toBe(3);
    expect(new AmfError('X', 'x').exitCode).toBe(1);
  });

  it('is recognised across two copies of the package (brand, not prototype)', () => {
    // A plain object shaped like an error from another copy: branded with the shared symbol.
    const foreign = Object.assign(new Error('other copy'), { code: 'X' });
    Object.defineProperty(foreign, Symbol.for('@amf-foresight/core/AmfError'), { value: 'InputError' });
    expect(isAmfError(foreign)).toBe(true);
    expect(foreign instanceof InputError).toBe(true);
    expect(foreign instanceof UsageError).toBe(false);
    expect(isAmfError(new Error('plain'))).toBe(false);
    expect(isAmfError(null)).toBe(false);
  });
});
