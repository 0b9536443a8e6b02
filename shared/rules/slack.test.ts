import { describe, expect, it } from 'vitest';
import { digestPayload } from './digest.ts';
import { dashboardUrl, mention, slackDigest, slackMessage } from './slack.ts';
import type { WebhookPayload } from './types.ts';

const payload: WebhookPayload = {
  id: 'fir_1',
  rule: { id: 'rul_1', name: 'Account turns High' },
  firedAt: '2026-11-30T10:00:00.000Z',
  account: {
    id: 'acc_9',
    name: 'Globex <Corp>',
    score: 82,
    tier: 'high',
    previousTier: 'medium',
    owner: 'ann@acme.com',
  },
  recipient: 'U024BE7LH',
  reason: 'crossed into High',
  signals: [
    { signal: 'Blog read', points: 2 },
    { signal: 'Pricing page', points: 15 },
    { signal: 'Demo requested', points: 30 },
    { signal: 'Docs', points: 5 },
    { signal: 'Case study', points: 8 },
    { signal: 'Careers', points: 1 },
  ],
};

describe('slackMessage', () => {
  const message = slackMessage(payload, 'account', 'https://inkling.example/');
  const text = JSON.stringify(message.blocks);

  it('should say who, with the score and the tier change', () => {
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Account turns High: Globex <Corp>' },
    });
    expect(text).toContain('*<https://inkling.example/dashboard/accounts/acc_9|Globex &lt;Corp&gt;>* (account)');
    expect(text).toContain('*Score*\\n82');
    expect(text).toContain('*Tier*\\nMedium → High');
  });

  it('should list the top five signals by points, with their points', () => {
    const section = message.blocks.find((b) => JSON.stringify(b).includes('Top signals'));
    expect(section).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '*Top signals*\n• Demo requested (+30)\n• Pricing page (+15)\n• Case study (+8)\n• Docs (+5)\n• Blog read (+2)',
      },
    });
  });

  it('should mention the recipient and link the dashboard page', () => {
    expect(text).toContain('For <@U024BE7LH>');
    expect(message.blocks.at(-1)).toEqual({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open in Inkling' },
          url: 'https://inkling.example/dashboard/accounts/acc_9',
        },
      ],
    });
    expect(message.text).toBe('Account turns High: Globex <Corp> is High (score 82) — for U024BE7LH');
  });

  it('should fall back to the owner, and show a person without a name by id', () => {
    const person = slackMessage(
      {
        ...payload,
        account: undefined,
        recipient: undefined,
        person: { id: 'per_1', name: null, score: 40, tier: 'medium', previousTier: null, owner: 'bob@acme.com' },
      },
      'person',
      'http://localhost:8787',
    );
    const all = JSON.stringify(person.blocks);
    expect(all).toContain('<http://localhost:8787/dashboard/people/per_1|per_1>');
    expect(all).toContain('Medium (was none)');
    expect(all).toContain('For bob@acme.com');
  });
});

describe('slackMessage for a dashboard user with a Slack member id', () => {
  it('should mention them by member id and still name their email', () => {
    const message = slackMessage(
      { ...payload, recipient: 'ann@acme.com' },
      'account',
      'https://inkling.example/',
      'U0ANN1234',
    );
    expect(JSON.stringify(message.blocks)).toContain('For <@U0ANN1234> (ann@acme.com)');
    expect(message.text).toContain('— for ann@acme.com');
  });
});

describe('mention and dashboardUrl', () => {
  it('should mention Slack ids and leave other recipients as escaped text', () => {
    expect(mention('U0123ABCD')).toBe('<@U0123ABCD>');
    expect(mention('a<b>@x.com')).toBe('a&lt;b&gt;@x.com');
  });
  it('should encode the id into the page path', () => {
    expect(dashboardUrl('http://h:1', 'person', 'a/b c')).toBe('http://h:1/dashboard/people/a%2Fb%20c');
  });
});

describe('slackDigest', () => {
  it('should summarise the period and list at most ten subjects', () => {
    const firings = Array.from({ length: 12 }, (_, i) => ({
      ...payload,
      id: `fir_${i}`,
      account: { ...(payload.account as NonNullable<WebhookPayload['account']>), id: `acc_${i}`, name: `Acct ${i}` },
    }));
    const digest = digestPayload(
      'dg_1',
      { id: 'rul_1', name: 'Account turns High', subject: 'account', when: { type: 'threshold', tier: 'high' } },
      '1h',
      firings,
    );
    const message = slackDigest(digest, 'account', 'http://h');
    expect(message.text).toBe('Account turns High: 12 accounts crossed into High in the last hour');
    const list = JSON.stringify(message.blocks[2]);
    expect(list).toContain('• <http://h/dashboard/accounts/acc_0|Acct 0>: Medium → High, score 82');
    expect(list).toContain('Acct 9');
    expect(list).not.toContain('Acct 10');
    expect(list).toContain('…and 2 more');
  });
});
