import { describe, expect, it } from 'vitest';
import { LocalBackend, openBackend, parseRestLocation, RestBackend, RetryBackend } from './index.js';

describe('openBackend', () => {
  it('maps paths and local: to LocalBackend, rest: to a retried RestBackend', () => {
    expect(openBackend('/srv/repo')).toBeInstanceOf(LocalBackend);
    expect(openBackend('relative/repo', { cwd: '/base' }).location).toBe('/base/relative/repo');
    expect(openBackend('local:/srv/repo').location).toBe('/srv/repo');
    const rest = openBackend('rest:http://u:secret@127.0.0.1:8000/repo');
    expect(rest).toBeInstanceOf(RetryBackend);
    expect(rest.location).toBe('rest:http://u:***@127.0.0.1:8000/repo/');
    expect(openBackend('rest:http://127.0.0.1:8000/', { retry: false })).toBeInstanceOf(RestBackend);
  });

  it('refuses other schemes naming the scheme, and never shows a password', () => {
    for (const [loc, scheme] of [
      ['s3:s3.amazonaws.com/bucket', 's3'],
      ['sftp:user@host:/srv/repo', 'sftp'],
      ['b2:bucket:path', 'b2'],
      ['rclone:remote:path', 'rclone'],
    ] as const) {
      expect(() => openBackend(loc)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_LOCATION', message: expect.stringContaining(`the ${scheme} backend`) }));
    }
    try {
      openBackend('swift://u:hunter2@host/x');
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
    expect(() => openBackend('')).toThrow(expect.objectContaining({ code: 'INVALID_LOCATION' }));
    expect(() => openBackend('local:')).toThrow(expect.objectContaining({ code: 'INVALID_LOCATION' }));
  });

  it('parses rest URLs as restic does', () => {
    const l = parseRestLocation('rest:https://us%40er:p%3Ass@host:8443/a/b');
    expect(l.base.href).toBe('https://host:8443/a/b/');
    expect(l.username).toBe('us@er');
    expect(l.password).toBe('p:ss');
    expect(l.display).toBe('rest:https://us%40er:***@host:8443/a/b/');
    expect(() => parseRestLocation('rest:ftp://host/')).toThrow(expect.objectContaining({ code: 'INVALID_LOCATION' }));
    expect(() => parseRestLocation('rest:not a url')).toThrow(expect.objectContaining({ code: 'INVALID_LOCATION' }));
    const err = (() => {
      try {
        parseRestLocation('rest:http://u:topsecret@ho st/');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).not.toContain('topsecret');
  });
});
