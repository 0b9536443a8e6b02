/**
 * An ISO-8601 date or date-time (`2026-11-30`, `2026-11-30T12:00:00Z`, `...T12:00:00.5+01:00`)
 * as epoch ms, or null: anything else, and any date the calendar does not have (`2026-11-31`,
 * `2026-02-30`, hour 24), which `Date.parse` would roll over into the next month or day.
 */
export function parseIsoDate(value: string): number | null {
  const m = ISO.exec(value);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !leap(year) ? 1 : 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const t = Date.parse(value);
  return Number.isFinite(t) ? t : null;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

const leap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
