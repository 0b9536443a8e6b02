/**
 * Browser globals, reached through this one module: the minifier shortens every use to a
 * local name, and nothing else in the SDK touches `window` directly. `globalThis` is the
 * window in a page; outside one (server-side rendering, a worker) `win.document` is
 * undefined and `createInkling` returns no-ops.
 */
export const win = globalThis as Window & typeof globalThis;
export const doc = win.document;
export const nav = win.navigator;
export const loc = win.location;

/** Calls `fn`; never lets an error escape into the host page. */
export function safe<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R | undefined {
  return (...args) => {
    try {
      return fn(...args);
    } catch {}
  };
}

/** localStorage, or nothing: disabled storage, quota errors and sandboxed frames all read as absent. */
export function getItem(key: string): string | null | undefined {
  try {
    return win.localStorage.getItem(key);
  } catch {}
}

/** Writes (or, with no value, removes) a localStorage item; a refusal (quota, disabled) is ignored. */
export function setItem(key: string, value?: string | false): void {
  try {
    value ? win.localStorage.setItem(key, value) : win.localStorage.removeItem(key);
  } catch {}
}

/** Size in bytes of a value as JSON (UTF-8), as the collector and the browser count it. */
export const bytes = (v: unknown): number => new Blob([JSON.stringify(v)]).size;

/** An attribute's value, or undefined (which JSON leaves out) when absent or empty. */
export const attr = (el: Element, name: string): string | undefined => el.getAttribute(name) || undefined;

/** Listens on `target` for `type`; the handler is wrapped so that it can never throw. */
export function on(target: EventTarget, type: string, fn: (e: Event) => void, capture?: boolean): void {
  target.addEventListener(type, safe(fn), capture);
}

/**
 * A random id of 128 bits from the platform's CSPRNG: four 32-bit numbers in decimal, run
 * together (usually 37-40 digits). Shorter code than hex, and a word as the cookie needs.
 */
export function uid(): string {
  return crypto.getRandomValues(new Uint32Array(4)).join('');
}

/** A switch that is off: `false`, or the string "false" of a data- attribute. */
export const off = (v: unknown): boolean => v === false || v === 'false';
