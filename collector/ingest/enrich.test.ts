import { describe, expect, it } from 'vitest';
import { enrich, type RequestFacts, truncateIp } from './enrich.ts';
import { messageSchema } from './schema.ts';

const message = (raw: Record<string, unknown>) => messageSchema.parse(raw);

function facts(over: Partial<RequestFacts> = {}): RequestFacts {
  return {
    siteId: 'site-1',
    receivedAt: new Date('2026-11-30T08:00:00.000Z'),
    sentAt: undefined,
    context: undefined,
    clientIp: undefined,
    userAgent: undefined,
    newMessageId: () => 'srv-1',
    ...over,
  };
}

const URL_WITH_UTM = 'https://acme.test/pricing?utm_source=google&utm_medium=cpc&utm_campaign=q4&utm_campaign=later';

describe('enrich: what it derives once and shares across messages', () => {
  it('should give each row its own campaign and search, however often the URL repeats', () => {
    const page = message({ type: 'page', anonymousId: 'a', properties: { url: URL_WITH_UTM } });
    const first = enrich(page, facts());
    const second = enrich(page, facts());
    expect(first.context.campaign).toEqual({ source: 'google', medium: 'cpc', name: 'later' });
    expect(first).toMatchObject({ utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'later', path: '/pricing' });
    expect(first.properties.search).toBe('?utm_source=google&utm_medium=cpc&utm_campaign=q4&utm_campaign=later');
    // A row changed after enrichment (as markVerified does) changes no other row.
    (first.context.campaign as Record<string, unknown>).source = 'changed';
    expect(second.context.campaign).toEqual({ source: 'google', medium: 'cpc', name: 'later' });
    expect(enrich(page, facts()).context.campaign).toEqual({ source: 'google', medium: 'cpc', name: 'later' });
    // A campaign of the message's own wins; the URL fills what it lacks with each parameter's first value.
    const own = message({
      type: 'page',
      anonymousId: 'a',
      properties: { url: URL_WITH_UTM },
      context: { campaign: { source: 'linkedin' } },
    });
    expect(enrich(own, facts())).toMatchObject({ utm_source: 'linkedin', utm_medium: 'cpc', utm_campaign: 'q4' });
  });

  it('should answer the same for a URL seen before as for a fresh one, invalid URLs included', () => {
    for (const url of ['not a url', 'https://acme.test/', 'https://acme.test/?', URL_WITH_UTM]) {
      const row = () => enrich(message({ type: 'page', anonymousId: 'a', properties: { url } }), facts());
      expect(row()).toEqual(row());
    }
    const invalid = enrich(message({ type: 'page', anonymousId: 'a', properties: { url: 'not a url' } }), facts());
    expect(invalid).toMatchObject({ url: 'not a url', path: null, utm_source: null });
    expect(invalid.properties).toEqual({ url: 'not a url' });
  });

  it("should stamp each request's receivedAt and sentAt, requests interleaved", () => {
    const track = message({ type: 'track', event: 'E', anonymousId: 'a', timestamp: '2026-11-30T07:59:50.000Z' });
    const a = facts({ receivedAt: new Date('2026-11-30T08:00:00.000Z'), sentAt: '2026-11-30T07:59:55.000Z' });
    const b = facts({ receivedAt: new Date('2026-11-30T09:00:00.000Z'), sentAt: '2026-11-30T10:00:00+01:00' });
    for (let i = 0; i < 2; i++) {
      expect(enrich(track, a)).toMatchObject({
        received_at: '2026-11-30T08:00:00.000Z',
        sent_at: '2026-11-30T07:59:55.000Z',
        timestamp: '2026-11-30T07:59:55.000Z',
      });
      expect(enrich(track, b)).toMatchObject({
        received_at: '2026-11-30T09:00:00.000Z',
        sent_at: '2026-11-30T09:00:00.000Z',
        timestamp: '2026-11-30T07:59:50.000Z',
      });
    }
    // The same Date object changed between requests is read again.
    const reused = new Date('2026-11-30T08:00:00.000Z');
    expect(enrich(track, facts({ receivedAt: reused })).received_at).toBe('2026-11-30T08:00:00.000Z');
    reused.setTime(Date.parse('2026-11-30T08:30:00.000Z'));
    expect(enrich(track, facts({ receivedAt: reused })).received_at).toBe('2026-11-30T08:30:00.000Z');
  });

  it('should truncate each address, repeated or alternating', () => {
    for (let i = 0; i < 2; i++) {
      expect(truncateIp('203.0.113.77')).toBe('203.0.113.0');
      expect(truncateIp('203.0.113.77')).toBe('203.0.113.0');
      expect(truncateIp('2001:db8:abcd:12:1:2:3:4')).toBe('2001:db8:abcd::');
      expect(truncateIp('::ffff:10.1.2.3')).toBe('10.1.2.0');
      expect(truncateIp('not an address')).toBeNull();
      expect(truncateIp(undefined)).toBeNull();
    }
  });
});
