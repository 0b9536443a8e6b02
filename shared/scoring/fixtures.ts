import type { ScoringEvent } from './types.ts';

/**
 * Event builders for tests and the worked examples (not part of the public API).
 * Times are given as an age before the fixed instant `NOW`: `days(2)`, `hours(3)`.
 */

/** 2025-01-15 12:00 UTC, the `now` of every worked example. */
export const NOW = Date.UTC(2025, 0, 15, 12);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const days = (n: number) => n * DAY;
export const hours = (n: number) => n * HOUR;
export const minutes = (n: number) => n * MINUTE;

let sequence = 0;

function base(ago: number): Omit<ScoringEvent, 'type' | 'event' | 'name' | 'path' | 'properties'> {
  sequence++;
  return {
    id: `e${String(sequence).padStart(6, '0')}`,
    url: null,
    timestamp: NOW - ago,
    anonymousId: 'anon-1',
    userId: null,
    isBot: false,
  };
}

/** A page view `ago` ms before NOW. */
export function page(path: string, ago: number, properties: Record<string, unknown> = {}): ScoringEvent {
  return { ...base(ago), type: 'page', event: null, name: null, path, properties };
}

/** A track call `ago` ms before NOW. */
export function track(event: string, ago: number, properties: Record<string, unknown> = {}): ScoringEvent {
  return { ...base(ago), type: 'track', event, name: null, path: null, properties };
}

/** An identify call (never a signal). */
export function identify(ago: number): ScoringEvent {
  return { ...base(ago), type: 'identify', event: null, name: null, path: null, properties: {} };
}
