import { z } from 'zod';

/**
 * The owner of a person or account: the email of the rep (a dashboard user, once they exist)
 * that alerts route to. Stored trimmed and lowercase, at most 254 characters (RFC 5321).
 */
export const ownerSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'owner must be an email address' }).max(254));

/** The trait (of `identify` for a person, of `group` for an account) that sets the owner. */
export const OWNER_TRAIT = 'owner';

/** An owner as stored, or undefined when `value` is not a well-formed email. */
export function normalizeOwner(value: unknown): string | undefined {
  const parsed = ownerSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * What a call's traits say about the owner: `{ owner }` when the `owner` trait is an email
 * (the new owner) or null (no owner), undefined when it is absent or anything else (the owner
 * stays as it is; the value is kept among the traits like any other).
 */
export function ownerFromTraits(
  traits: Record<string, unknown> | null | undefined,
): { owner: string | null } | undefined {
  if (!traits || !Object.hasOwn(traits, OWNER_TRAIT)) return undefined;
  const value = traits[OWNER_TRAIT];
  if (value === null) return { owner: null };
  const owner = normalizeOwner(value);
  return owner === undefined ? undefined : { owner };
}
