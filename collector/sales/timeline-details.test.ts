import { describe, expect, it } from 'vitest';
import { defaultConfig, type ScoringEvent } from '../../shared/scoring/index.ts';
import { derivedByEvent, eventDetails } from './timeline-details.ts';

const event = (e: Partial<ScoringEvent>): ScoringEvent => ({
  id: 'e1',
  type: 'track',
  event: null,
  name: null,
  path: null,
  url: null,
  properties: {},
  timestamp: 0,
  anonymousId: 'a',
  userId: null,
  isBot: false,
  ...e,
});

describe('eventDetails', () => {
  it("should fall back to the stored url and path and the page's name, and add a duration", () => {
    const page = event({ type: 'page', name: 'Pricing', url: 'https://a.example/pricing', path: '/pricing' });
    page.properties = { timeOnPage: 42, search: '?q=1', referrer: '' };
    expect(eventDetails(page)).toEqual({
      url: 'https://a.example/pricing',
      title: 'Pricing',
      path: '/pricing',
      timeOnPage: 42,
    });
  });

  it('should keep only what a rep reads: no objects, no empty values, lists and texts bounded', () => {
    const form = event({
      event: 'Form Submitted',
      properties: { formId: 'f', formName: '', fields: Array.from({ length: 80 }, (_, i) => `f${i}`), extra: 'x' },
    });
    const details = eventDetails(form);
    expect(Object.keys(details)).toEqual(['formId', 'fields']);
    expect(details.fields).toHaveLength(50);
    const doc = event({
      event: 'Deal Room Document Viewed',
      properties: { document: 'd'.repeat(900), meta: { a: 1 }, seconds: 300, text: 'not for this kind' },
    });
    expect(eventDetails(doc)).toEqual({ document: `${'d'.repeat(499)}…`, seconds: 300 });
  });
});

describe('derivedByEvent', () => {
  it('should name the derived signals at the event that completed them, and none elsewhere', () => {
    const pages = [0, 60_000, 120_000].map((t, i) =>
      event({ id: `p${i}`, type: 'page', path: `/p${i}`, timestamp: 1_700_000_000_000 + t }),
    );
    const derived = derivedByEvent(pages, defaultConfig);
    expect([...derived.keys()]).toEqual(['p2']);
    expect(derived.get('p2')?.map((d) => d.signal)).toEqual(['multi_page_session']);
  });
});
