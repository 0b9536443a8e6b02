import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { customAlphabet } from 'nanoid';

const alnum = customAlphabet('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');

/** Length of the public id inside a secret key (`sk_<id><secret>`). */
const SECRET_ID_LENGTH = 12;

export function newSiteId(): string {
  return `site_${alnum(14)}`;
}

export function newWriteKey(): string {
  return `pk_${alnum(24)}`;
}

/** Whether `key` has the shape `newWriteKey` gives every write key (others are unknown without a lookup). */
export function isWriteKeyShaped(key: string): boolean {
  return /^pk_[0-9A-Za-z]{24}$/.test(key);
}

export interface SecretKey {
  /** The key to hand to the user once; never stored. */
  key: string;
  /** Non-secret lookup id stored beside the hash. */
  id: string;
  hash: string;
}

export function newSecretKey(): SecretKey {
  const id = alnum(SECRET_ID_LENGTH);
  const key = `sk_${id}${alnum(32)}`;
  return { key, id, hash: hashSecret(key) };
}

/** The lookup id of a presented secret key, or undefined when it is not shaped like one. */
export function secretKeyId(key: string): string | undefined {
  if (!/^sk_[0-9A-Za-z]{44}$/.test(key)) return undefined;
  return key.slice(3, 3 + SECRET_ID_LENGTH);
}

export function hashSecret(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Constant-time comparison of a presented secret against a stored hash. */
export function secretMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Constant-time string equality (for the admin token). */
export function tokensEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** A site's identity-verification secret (its server computes `user_hash` with it). */
export function newVerificationSecret(): string {
  return randomBytes(32).toString('hex');
}

/** HMAC-SHA256 (hex) of a user id: the `user_hash` a site's server hands its page. */
export function userHash(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId).digest('hex');
}

/** Whether `presented` is the user id's `user_hash` under the secret (constant time). */
export function userHashMatches(secret: string, userId: string, presented: unknown): boolean {
  if (typeof presented !== 'string' || presented.length !== 64) return false;
  const a = Buffer.from(userHash(secret, userId), 'hex');
  const b = Buffer.from(presented.toLowerCase(), 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
