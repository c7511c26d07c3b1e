/**
 * Credential.parse keeps one object per recent key (so what is derived from it is built once),
 * looked up by the key's id, never by the secret itself: two keys never share an object.
 */
import { describe, expect, it } from 'vitest';
import { Credential } from '../src/mavi/credential.js';

describe('Credential.parse', () => {
  it('gives the same key the same object, with or without "Bearer "', () => {
    const a = Credential.parse('sk-0123456789abcdef0123').credential;
    const b = Credential.parse('Bearer sk-0123456789abcdef0123').credential;
    expect(a).not.toBeNull();
    expect(b).toBe(a);
    expect(a?.id).toBe(Credential.idOf('sk-0123456789abcdef0123'));
  });

  it('never hands one key another key’s credential, across more keys than it remembers', () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `sk-${String(i).padStart(20, '0')}`);
    for (const round of [0, 1]) {
      for (const key of keys) {
        const credential = Credential.parse(key).credential;
        expect(credential?.reveal(), `round ${round}`).toBe(key);
      }
    }
  });

  it('shows only its id when printed', () => {
    const credential = Credential.parse('sk-secret-0123456789abcdef').credential;
    expect(String(credential)).not.toContain('secret');
    expect(JSON.stringify({ credential })).not.toContain('secret');
  });
});
