import { describe, expect, it } from 'vitest';
import { parseIsoDate } from './iso-date.ts';

describe('parseIsoDate', () => {
  it('should read ISO dates and date-times as Date.parse does', () => {
    for (const v of [
      '2026-11-30',
      '2026-11-30T02:28:25Z',
      '2024-02-29T23:59:59.999Z',
      '2026-12-01T00:00:00+01:00',
      '0001-01-01T00:00Z',
    ])
      expect(parseIsoDate(v)).toBe(Date.parse(v));
  });

  it('should refuse what the calendar does not have, and what is not ISO', () => {
    for (const v of [
      '2026-11-31T02:28:25Z',
      '2026-02-30',
      '2025-02-29',
      '1900-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-11-30T24:00:00Z',
      '2026-11-30T12:60:00Z',
      'Dec 1 2026',
      '2026-11-30 12:00',
      '',
      '2026-1-1',
    ])
      expect(parseIsoDate(v), v).toBeNull();
  });
});
