import { describe, expect, it } from 'vitest';
import { categorize } from './categorize.ts';
import { defaultConfig } from './default-config.ts';
import { identify, page, track } from './fixtures.ts';
import { defaultEventNames } from './reference.ts';

const signalOf = (event: Parameters<typeof categorize>[0]) => categorize(event, defaultConfig)?.signal ?? null;

describe('categorize (default catalogue)', () => {
  it.each([
    ['/pricing', 'pricing_page'],
    ['/Pricing/?plan=team#faq', 'pricing_page'],
    ['/en/pricing', 'pricing_page'],
    ['/pricing/enterprise', 'pricing_page'],
    ['/features/sso', 'product_page'],
    ['/product', 'product_page'],
    ['/customers/acme', 'case_study_page'],
    ['/case-studies', 'case_study_page'],
    ['/blog/how-we-price', 'blog_page'],
    ['/blog/pricing', 'blog_page'],
    ['/docs/api', 'docs_page'],
    ['/help', 'docs_page'],
    ['/careers/engineer', 'careers_page'],
    ['/jobs', 'careers_page'],
    ['/partners', 'partners_page'],
    ['/request-demo', 'demo_page'],
    ['/contact-sales', 'contact_page'],
    ['/compare/acme', 'comparison_page'],
    ['/', null],
    ['/about', null],
    ['/pricingx', null],
  ])('should categorize a visit to %s as %s', (path, expected) => {
    expect(signalOf(page(path, 0))).toBe(expected);
  });

  it('should read the path from the url when the path is missing', () => {
    const event = { ...page('', 0), path: null, url: 'https://example.com/pricing?utm_source=x' };
    expect(signalOf(event)).toBe('pricing_page');
  });

  it('should match event names whatever their case and separators', () => {
    expect(signalOf(track('Email Opened', 0))).toBe('email_opened');
    expect(signalOf(track('email_opened', 0))).toBe('email_opened');
    expect(signalOf(track('EMAIL-OPENED', 0))).toBe('email_opened');
  });

  it('should give each default event name a signal', () => {
    for (const name of defaultEventNames) {
      const properties = name === 'Element Clicked' ? { download: 'guide.pdf' } : {};
      expect(signalOf(track(name, 0, properties)), name).not.toBeNull();
    }
  });

  it('should tell a demo request and a contact form from other form submissions', () => {
    expect(signalOf(track('Form Submitted', 0, { formId: 'request-demo' }))).toBe('demo_requested');
    expect(signalOf(track('Form Submitted', 0, { formName: 'Contact Sales' }))).toBe('contact_form_submitted');
    expect(signalOf(track('Form Submitted', 0, { formId: 'newsletter' }))).toBe('form_submitted');
  });

  it('should count a deal room document viewed for 5+ minutes as High, shorter as Medium', () => {
    expect(categorize(track('Deal Room Document Viewed', 0, { duration: 300 }), defaultConfig)?.level).toBe('high');
    expect(categorize(track('Deal Room Document Viewed', 0, { duration: 299 }), defaultConfig)?.level).toBe('medium');
  });

  it('should count a download click but not a plain click', () => {
    expect(signalOf(track('Element Clicked', 0, { kind: 'link', download: 'deck.pdf' }))).toBe('file_downloaded');
    expect(signalOf(track('Element Clicked', 0, { kind: 'link', download: false }))).toBeNull();
    expect(signalOf(track('Element Clicked', 0, { kind: 'button', text: 'Buy' }))).toBeNull();
  });

  it('should count unknown events, identify calls and bots as nothing', () => {
    expect(signalOf(track('Something Else', 0))).toBeNull();
    expect(signalOf(identify(0))).toBeNull();
    expect(signalOf({ ...page('/pricing', 0), isBot: true })).toBeNull();
  });

  it.each([
    ['Could you send a quote for 40 seats?', 'buying'],
    ['We are a reseller looking for an integration', 'partnership'],
    ['I get an error when I log in, help', 'support'],
    ['Are you hiring? I attached my resume', 'job_seeker'],
    ['Thanks, talk soon', 'neutral'],
  ])('should read the intent of the chat message "%s" as %s', (text, intent) => {
    expect(categorize(track('Chat Message', 0, { text }), defaultConfig)?.intent).toBe(intent);
  });

  it('should give a job-seeker chat message fewer points than a buying one', () => {
    const buying = categorize(track('Chat Message', 0, { text: 'pricing?' }), defaultConfig)!;
    const job = categorize(track('Chat Message', 0, { text: 'any jobs?' }), defaultConfig)!;
    expect(job.points).toBeLessThan(buying.points);
  });
});
