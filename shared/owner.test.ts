import { describe, expect, it } from 'vitest';
import { normalizeOwner, ownerFromTraits } from './owner.ts';

describe('owners', () => {
  it('should store an email trimmed and lowercase, and refuse what is not one', () => {
    expect(normalizeOwner(' Ann@Acme.com ')).toBe('ann@acme.com');
    expect(normalizeOwner('ann')).toBeUndefined();
    expect(normalizeOwner('ann@')).toBeUndefined();
    expect(normalizeOwner(42)).toBeUndefined();
    expect(normalizeOwner(`${'a'.repeat(250)}@acme.com`)).toBeUndefined();
  });

  it('should read the owner trait: an email sets, null clears, absent or malformed leaves it', () => {
    expect(ownerFromTraits({ owner: 'Bob@Acme.com' })).toEqual({ owner: 'bob@acme.com' });
    expect(ownerFromTraits({ owner: null })).toEqual({ owner: null });
    expect(ownerFromTraits({ name: 'Ann' })).toBeUndefined();
    expect(ownerFromTraits({ owner: 'not an email' })).toBeUndefined();
    expect(ownerFromTraits({})).toBeUndefined();
  });
});
