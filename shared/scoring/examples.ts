import { days, hours, minutes, page, track } from './fixtures.ts';
import type { AccountContact, ScoringEvent } from './types.ts';

/**
 * The worked examples of docs/SCORING.md, as data. `examples.test.ts` scores each one at
 * `NOW` with the default config and checks every expected value, and checks that the table
 * in docs/SCORING.md is `examplesMarkdown()` of this list, so the two cannot drift.
 */

export interface Expected {
  points: number;
  score: number;
  tier: string;
  /** Persons only. */
  type?: string;
  trend: string;
  /** The explanation: `signal points`, largest first. */
  top: string;
  /** `nextChangeAt` as an offset from NOW (`+5d 0h`), or `never`. */
  next: string;
}

export type Example =
  | { name: string; story: string; events: ScoringEvent[]; expected: Expected }
  | { name: string; story: string; contacts: AccountContact[]; expected: Expected };

const pricingSession = (ago: number) => [
  page('/pricing', ago + minutes(10)),
  page('/features', ago + minutes(5)),
  page('/customers/acme', ago),
];

export const examples: Example[] = [
  {
    name: 'One pricing visit',
    story: '`/pricing` 1 day ago',
    events: [page('/pricing', days(1))],
    expected: {
      points: 20,
      score: 29,
      tier: 'low',
      type: 'buying',
      trend: 'rising',
      top: 'pricing_page 20',
      next: '+6d 0h',
    },
  },
  {
    name: 'Pricing, three days running',
    story: '`/pricing` 3, 2 and 1 days ago',
    events: [page('/pricing', days(3)), page('/pricing', days(2)), page('/pricing', days(1))],
    expected: {
      points: 55.2,
      score: 62,
      tier: 'medium',
      type: 'buying',
      trend: 'rising',
      top: 'pricing_page 39.2, return_visit 16',
      next: '+4d 0h',
    },
  },
  {
    name: 'Evaluator',
    story: '`/pricing`, `/features`, `/customers/acme` in one session 2 days ago; `Whitepaper Downloaded` 9 days ago',
    events: [...pricingSession(days(2)), track('Whitepaper Downloaded', days(9))],
    expected: {
      points: 57.5,
      score: 63,
      tier: 'medium',
      type: 'buying',
      trend: 'rising',
      top: 'pricing_page 20, case_study_page 10, multi_page_session 10, product_page 10, whitepaper_downloaded 7.5',
      next: '+4d 23h 50m',
    },
  },
  {
    name: 'Demo request',
    story: 'the evaluator session 1 hour ago, then `Form Submitted` (formId `request-demo`)',
    events: [...pricingSession(hours(1)), track('Form Submitted', 0, { formId: 'request-demo', fields: ['email'] })],
    expected: {
      points: 80,
      score: 75,
      tier: 'high',
      type: 'buying',
      trend: 'rising',
      top: 'demo_requested 30, pricing_page 20, case_study_page 10, multi_page_session 10, product_page 10',
      next: '+6d 22h 50m',
    },
  },
  {
    name: 'Meetings',
    story:
      '`Meeting Scheduled` 10 days ago, `Meeting Attended` (3 attendees) 3 days ago, `Follow Up Requested` 2 days ago',
    events: [
      track('Meeting Scheduled', days(10)),
      track('Meeting Attended', days(3), { attendees: 3 }),
      track('Follow Up Requested', days(2)),
    ],
    expected: {
      points: 95,
      score: 81,
      tier: 'high',
      type: 'buying',
      trend: 'rising',
      top: 'follow_up_requested 30, meeting_multiple_attendees 30, meeting_attended 20, meeting_scheduled 15',
      next: '+4d 0h',
    },
  },
  {
    name: 'No-show',
    story: '`Meeting Scheduled` 5 days ago, `Meeting No Show` 1 day ago, `/pricing` 4 days ago',
    events: [track('Meeting Scheduled', days(5)), page('/pricing', days(4)), track('Meeting No Show', days(1))],
    expected: {
      points: 20,
      score: 29,
      tier: 'low',
      type: 'buying',
      trend: 'rising',
      top: 'meeting_no_show -20, meeting_scheduled 20, pricing_page 20',
      next: '+2d 0h',
    },
  },
  {
    name: 'Email engagement',
    story: '`Email Opened` 3 times (same emailId) 6, 5 and 4 days ago, `Email Replied` 4 days ago',
    events: [
      track('Email Opened', days(6), { emailId: 'q1-offer' }),
      track('Email Opened', days(5), { emailId: 'q1-offer' }),
      track('Email Opened', days(4) + hours(1), { emailId: 'q1-offer' }),
      track('Email Replied', days(4), { emailId: 'q1-offer' }),
    ],
    expected: {
      points: 39.8,
      score: 50,
      tier: 'medium',
      type: 'buying',
      trend: 'rising',
      top: 'email_replied 20, email_repeat_opens 10, email_opened 9.8',
      next: '+1d 0h',
    },
  },
  {
    name: 'Job seeker',
    story: '`/careers`, `/careers/engineer`, `/jobs/42`, `/blog/culture` in one session 1 day ago',
    events: [
      page('/careers', days(1) + minutes(9)),
      page('/careers/engineer', days(1) + minutes(6)),
      page('/jobs/42', days(1) + minutes(3)),
      page('/blog/culture', days(1)),
    ],
    expected: {
      points: 7.5,
      score: 12,
      tier: 'low',
      type: 'job_seeker',
      trend: 'rising',
      top: 'blog_page 5, careers_page 2.5',
      next: '+5d 23h 51m',
    },
  },
  {
    name: 'Support',
    story: '`/docs/sso`, `/help/login` 2 days ago, `Chat Message` "I get an error when I log in" 2 days ago',
    events: [
      page('/docs/sso', days(2) + minutes(5)),
      page('/help/login', days(2) + minutes(2)),
      track('Chat Message', days(2), { text: 'I get an error when I log in' }),
    ],
    expected: {
      points: 14,
      score: 22,
      tier: 'low',
      type: 'support',
      trend: 'rising',
      top: 'chat_message 10, docs_page 4',
      next: '+4d 23h 55m',
    },
  },
  {
    name: 'Partner',
    story: '`/partners` 3 days ago, `Chat Message` "Do you have a reseller program?" 3 days ago',
    events: [
      page('/partners', days(3) + minutes(2)),
      track('Chat Message', days(3), { text: 'Do you have a reseller program?' }),
    ],
    expected: {
      points: 25,
      score: 35,
      tier: 'low',
      type: 'partnership',
      trend: 'rising',
      top: 'chat_message 20, partners_page 5',
      next: '+3d 23h 58m',
    },
  },
  {
    name: 'Cooling down',
    story: 'the evaluator session and `Demo Requested` 20 days ago, nothing since',
    events: [...pricingSession(days(20) + minutes(1)), track('Demo Requested', days(20))],
    expected: {
      points: 40,
      score: 50,
      tier: 'medium',
      type: 'buying',
      trend: 'declining',
      top: 'demo_requested 15, pricing_page 10, case_study_page 5, multi_page_session 5, product_page 5',
      next: '+0d 23h 49m',
    },
  },
  {
    name: 'Account: one very active contact',
    story: 'one contact does the evaluator session 3 times (3, 2 and 1 days ago)',
    contacts: [
      { personId: 'ana', events: [...pricingSession(days(3)), ...pricingSession(days(2)), ...pricingSession(days(1))] },
    ],
    expected: {
      points: 98,
      score: 82,
      tier: 'high',
      trend: 'rising',
      top: 'pricing_page 39.2, case_study_page 19.6, multi_page_session 19.6, product_page 19.6',
      next: '+3d 23h 50m',
    },
  },
  {
    name: 'Account: three stakeholders',
    story: 'three contacts each do the evaluator session once (3, 2 and 1 days ago)',
    contacts: [
      { personId: 'ana', events: pricingSession(days(3)) },
      { personId: 'ben', events: pricingSession(days(2)) },
      { personId: 'cy', events: pricingSession(days(1)) },
    ],
    expected: {
      points: 195,
      score: 97,
      tier: 'high',
      trend: 'rising',
      top: 'pricing_page 78, case_study_page 39, multi_page_session 39, product_page 39',
      next: '+3d 23h 50m',
    },
  },
  {
    name: 'Account: deal room',
    story: '`Deal Room Visited` by one contact 6 days ago, `Deal Room Document Viewed` (400 s) by another 5 days ago',
    contacts: [
      { personId: 'ana', events: [track('Deal Room Visited', days(6))] },
      { personId: 'ben', events: [track('Deal Room Document Viewed', days(5), { duration: 400 })] },
    ],
    expected: {
      points: 69,
      score: 70,
      tier: 'high',
      trend: 'rising',
      top: 'deal_room_stakeholders 34.5, deal_room_document_viewed_long 23, deal_room_visited 11.5',
      next: '+1d 0h',
    },
  },
];

/** An instant as an offset from NOW: `+4d 23h 50m`, or `never` for null. */
export function formatOffset(at: number | null, now: number): string {
  if (at === null) return 'never';
  const total = Math.round((at - now) / 60_000);
  const d = Math.floor(total / 1440);
  const h = Math.floor((total % 1440) / 60);
  const m = total % 60;
  return `+${d}d ${h}h${m === 0 ? '' : ` ${m}m`}`;
}

/** The worked examples as the Markdown table in docs/SCORING.md (from the expected values). */
export function examplesMarkdown(list: readonly Example[] = examples): string {
  const lines = [
    '| # | example | events (before now) | points | score | tier | type | trend | explanation (points) | next change |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  list.forEach((ex, i) => {
    const e = ex.expected;
    const cells = [i + 1, ex.name, ex.story, e.points, e.score, e.tier, e.type ?? '-', e.trend, e.top, e.next];
    lines.push(`| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`);
  });
  return lines.join('\n');
}
