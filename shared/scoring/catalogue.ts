import type { DerivedRule, ScoringConfig, ScoringRule } from './config.ts';

/**
 * The default catalogue: SPEC section 3's seed table, as data. Categories are the seed's
 * groups, with "additional" split into its four channels (form, webinar, social,
 * third-party) because they are independent evidence for the diversity multiplier.
 * docs/SCORING.md lists this catalogue; a test keeps the two equal.
 */

export const defaultCategories: ScoringConfig['categories'] = {
  email: { label: 'Email engagement' },
  web: { label: 'Page visits' },
  content: { label: 'Content' },
  meeting: { label: 'Meetings' },
  deal_room: { label: 'Deal room' },
  form: { label: 'Form submissions' },
  webinar: { label: 'Webinars' },
  social: { label: 'Social' },
  third_party: { label: 'Third-party intent' },
};

export const defaultSignals: ScoringConfig['signals'] = {
  // Email engagement
  email_opened: { label: 'Email opened', category: 'email', level: 'low', intent: 'neutral' },
  email_link_clicked: { label: 'Email link clicked', category: 'email', level: 'medium', intent: 'neutral' },
  email_replied: { label: 'Email replied', category: 'email', level: 'high', intent: 'buying' },
  email_forwarded: { label: 'Email forwarded', category: 'email', level: 'high', intent: 'buying' },
  email_repeat_opens: { label: '3+ opens of one email', category: 'email', level: 'medium', intent: 'neutral' },
  tracked_link_opened: { label: 'Tracked link opened', category: 'email', level: 'medium', intent: 'neutral' },
  // Page visits
  pricing_page: { label: 'Pricing page', category: 'web', level: 'high', intent: 'buying' },
  demo_page: { label: 'Demo or trial page', category: 'web', level: 'high', intent: 'buying' },
  contact_page: { label: 'Contact page', category: 'web', level: 'medium', intent: 'buying' },
  comparison_page: { label: 'Comparison page', category: 'web', level: 'medium', intent: 'buying' },
  product_page: { label: 'Product or features page', category: 'web', level: 'medium', intent: 'buying' },
  case_study_page: { label: 'Case study or customers page', category: 'web', level: 'medium', intent: 'buying' },
  blog_page: { label: 'Blog post', category: 'web', level: 'low', intent: 'neutral' },
  docs_page: { label: 'Docs or help page', category: 'web', level: 'low', intent: 'support' },
  partners_page: { label: 'Partners page', category: 'web', level: 'low', intent: 'partnership' },
  careers_page: { label: 'Careers or jobs page', category: 'web', level: 'low', intent: 'job_seeker' },
  multi_page_session: { label: '3+ pages in a session', category: 'web', level: 'medium', intent: 'neutral' },
  return_visit: { label: 'Return visit after 24h', category: 'web', level: 'medium', intent: 'neutral' },
  // Content
  whitepaper_downloaded: { label: 'Whitepaper downloaded', category: 'content', level: 'medium', intent: 'buying' },
  roi_calculator_used: { label: 'ROI calculator used', category: 'content', level: 'high', intent: 'buying' },
  comparison_guide_downloaded: {
    label: 'Comparison guide downloaded',
    category: 'content',
    level: 'high',
    intent: 'buying',
  },
  template_downloaded: { label: 'Template downloaded', category: 'content', level: 'low', intent: 'neutral' },
  file_downloaded: { label: 'File downloaded (link click)', category: 'content', level: 'low', intent: 'neutral' },
  multi_download_session: { label: '3+ downloads in a session', category: 'content', level: 'high', intent: 'buying' },
  // Meetings
  meeting_scheduled: { label: 'Meeting scheduled', category: 'meeting', level: 'high', intent: 'buying' },
  meeting_attended: { label: 'Meeting attended', category: 'meeting', level: 'high', intent: 'buying' },
  meeting_multiple_attendees: {
    label: 'Meeting with multiple attendees',
    category: 'meeting',
    level: 'very_high',
    intent: 'buying',
  },
  follow_up_requested: { label: 'Follow-up requested', category: 'meeting', level: 'very_high', intent: 'buying' },
  meeting_no_show: { label: 'Meeting no-show', category: 'meeting', level: 'negative', intent: 'neutral' },
  // Deal room
  deal_room_visited: { label: 'Deal room visited', category: 'deal_room', level: 'medium', intent: 'buying' },
  deal_room_document_viewed: {
    label: 'Deal room document viewed',
    category: 'deal_room',
    level: 'medium',
    intent: 'buying',
  },
  deal_room_document_viewed_long: {
    label: 'Deal room document viewed 5+ min',
    category: 'deal_room',
    level: 'high',
    intent: 'buying',
  },
  deal_room_document_downloaded: {
    label: 'Deal room document downloaded',
    category: 'deal_room',
    level: 'high',
    intent: 'buying',
  },
  deal_room_milestone_completed: {
    label: 'Deal room milestone completed',
    category: 'deal_room',
    level: 'very_high',
    intent: 'buying',
  },
  chat_message: {
    label: 'Chat message',
    category: 'deal_room',
    level: 'high',
    intent: 'neutral',
    intentFromText: true,
  },
  deal_room_stakeholders: {
    label: '2+ stakeholders active in the deal room',
    category: 'deal_room',
    level: 'very_high',
    intent: 'buying',
  },
  // Additional
  demo_requested: { label: 'Demo requested', category: 'form', level: 'very_high', intent: 'buying' },
  contact_form_submitted: { label: 'Contact form submitted', category: 'form', level: 'high', intent: 'buying' },
  form_submitted: { label: 'Form submitted', category: 'form', level: 'medium', intent: 'neutral' },
  form_started: { label: 'Form started', category: 'form', level: 'low', intent: 'neutral' },
  webinar_registered: { label: 'Webinar registered', category: 'webinar', level: 'medium', intent: 'neutral' },
  webinar_attended: { label: 'Webinar attended', category: 'webinar', level: 'high', intent: 'buying' },
  social_engaged: { label: 'Social post engaged', category: 'social', level: 'low', intent: 'neutral' },
  third_party_intent: { label: 'Third-party intent surge', category: 'third_party', level: 'medium', intent: 'buying' },
};

/** The form fields that name a form: a demo/contact word in any of them classifies the submission. */
const FORM_NAME = ['formId', 'formName', 'action'];

/** Page rules, section pages first so that `/blog/pricing` is a blog post. First match wins. */
const pageRules: ScoringRule[] = [
  { signal: 'careers_page', path: ['/**/careers/**', '/**/jobs/**', '/**/hiring/**', '/**/join-us/**'] },
  { signal: 'blog_page', path: ['/**/blog/**', '/**/news/**', '/**/articles/**'] },
  {
    signal: 'docs_page',
    path: [
      '/**/docs/**',
      '/**/documentation/**',
      '/**/help/**',
      '/**/support/**',
      '/**/kb/**',
      '/**/knowledge-base/**',
    ],
  },
  { signal: 'pricing_page', path: ['/**/pricing/**', '/**/plans/**'] },
  {
    signal: 'demo_page',
    path: [
      '/**/demo/**',
      '/**/request-demo/**',
      '/**/book-a-demo/**',
      '/**/get-a-demo/**',
      '/**/trial/**',
      '/**/free-trial/**',
    ],
  },
  {
    signal: 'contact_page',
    path: ['/**/contact/**', '/**/contact-us/**', '/**/contact-sales/**', '/**/talk-to-sales/**'],
  },
  { signal: 'comparison_page', path: ['/**/compare/**', '/**/comparison/**', '/**/vs/**', '/**/alternatives/**'] },
  {
    signal: 'case_study_page',
    path: [
      '/**/case-studies/**',
      '/**/case-study/**',
      '/**/customers/**',
      '/**/customer-stories/**',
      '/**/testimonials/**',
    ],
  },
  {
    signal: 'product_page',
    path: [
      '/**/product/**',
      '/**/products/**',
      '/**/features/**',
      '/**/platform/**',
      '/**/solutions/**',
      '/**/integrations/**',
    ],
  },
  {
    signal: 'partners_page',
    path: ['/**/partners/**', '/**/partner/**', '/**/partner-program/**', '/**/resellers/**'],
  },
];

const eventRules: ScoringRule[] = [
  // Email engagement (server-side, from the sending tool)
  { signal: 'email_opened', event: 'Email Opened' },
  { signal: 'email_link_clicked', event: 'Email Link Clicked' },
  { signal: 'email_replied', event: 'Email Replied' },
  { signal: 'email_forwarded', event: 'Email Forwarded' },
  { signal: 'tracked_link_opened', event: 'Tracked Link Opened' },
  // Content
  { signal: 'whitepaper_downloaded', event: ['Whitepaper Downloaded', 'Ebook Downloaded'] },
  { signal: 'roi_calculator_used', event: 'ROI Calculator Used' },
  { signal: 'comparison_guide_downloaded', event: 'Comparison Guide Downloaded' },
  { signal: 'template_downloaded', event: 'Template Downloaded' },
  { signal: 'file_downloaded', event: 'Element Clicked', where: [{ property: 'download', op: 'exists' }] },
  // Meetings
  { signal: 'meeting_scheduled', event: 'Meeting Scheduled' },
  { signal: 'meeting_attended', event: 'Meeting Attended' },
  { signal: 'follow_up_requested', event: 'Follow Up Requested' },
  { signal: 'meeting_no_show', event: 'Meeting No Show' },
  // Deal room
  { signal: 'deal_room_visited', event: 'Deal Room Visited' },
  {
    signal: 'deal_room_document_viewed_long',
    event: 'Deal Room Document Viewed',
    where: [{ property: 'duration', op: 'gte', value: 300 }],
  },
  { signal: 'deal_room_document_viewed', event: 'Deal Room Document Viewed' },
  { signal: 'deal_room_document_downloaded', event: 'Deal Room Document Downloaded' },
  { signal: 'deal_room_milestone_completed', event: 'Deal Room Milestone Completed' },
  { signal: 'chat_message', event: 'Chat Message' },
  // Additional: forms (the SDK's Form Submitted, or a server-side Demo Requested)
  { signal: 'demo_requested', event: 'Demo Requested' },
  {
    signal: 'demo_requested',
    event: 'Form Submitted',
    where: [{ property: FORM_NAME, op: 'contains', value: ['demo', 'trial'] }],
  },
  {
    signal: 'contact_form_submitted',
    event: 'Form Submitted',
    where: [{ property: FORM_NAME, op: 'contains', value: ['contact', 'sales', 'quote'] }],
  },
  { signal: 'form_submitted', event: 'Form Submitted' },
  { signal: 'form_started', event: 'Form Started' },
  // Additional: webinar, social, third-party intent
  { signal: 'webinar_registered', event: 'Webinar Registered' },
  { signal: 'webinar_attended', event: 'Webinar Attended' },
  { signal: 'social_engaged', event: 'Social Post Engaged' },
  { signal: 'third_party_intent', event: 'Intent Surge Detected' },
];

export const defaultRules: ScoringRule[] = [...pageRules, ...eventRules];

const DOWNLOADS = [
  'whitepaper_downloaded',
  'comparison_guide_downloaded',
  'template_downloaded',
  'file_downloaded',
  'deal_room_document_downloaded',
];

export const defaultDerived: DerivedRule[] = [
  {
    kind: 'session_count',
    signal: 'multi_page_session',
    of: { eventTypes: ['page'], exceptSignals: ['careers_page'] },
    min: 3,
  },
  { kind: 'return_visit', signal: 'return_visit', of: { eventTypes: ['page'] }, minGapHours: 24 },
  {
    kind: 'repeat_per_key',
    signal: 'email_repeat_opens',
    of: { signals: ['email_opened'] },
    keys: ['emailId', 'email_id', 'campaignId', 'campaign_id', 'subject', 'email_subject'],
    min: 3,
  },
  { kind: 'session_count', signal: 'multi_download_session', of: { signals: DOWNLOADS }, min: 3 },
  {
    kind: 'property_at_least',
    signal: 'meeting_multiple_attendees',
    of: { signals: ['meeting_attended'] },
    property: 'attendees',
    min: 2,
  },
  {
    kind: 'account_people',
    signal: 'deal_room_stakeholders',
    of: { categories: ['deal_room'] },
    minPeople: 2,
    windowDays: 14,
  },
];

/** Chat keyword classes: a `Chat Message` whose text holds one of these words has that intent. */
export const defaultChatKeywords: ScoringConfig['intentType']['chatKeywords'] = {
  buying: [
    'price',
    'prices',
    'pricing',
    'quote',
    'quotes',
    'demo',
    'buy',
    'purchase',
    'cost',
    'costs',
    'trial',
    'license',
    'licence',
    'discount',
    'contract',
    'seats',
    'invoice',
  ],
  partnership: [
    'partner',
    'partners',
    'partnership',
    'reseller',
    'resell',
    'resellers',
    'integration',
    'integrations',
    'integrate',
    'affiliate',
    'agency',
    'referral',
  ],
  support: [
    'help',
    'error',
    'errors',
    'bug',
    'bugs',
    'support',
    'broken',
    'crash',
    'issue',
    'issues',
    'problem',
    'fix',
    'ticket',
    'outage',
  ],
  job_seeker: [
    'job',
    'jobs',
    'career',
    'careers',
    'hiring',
    'hire',
    'resume',
    'cv',
    'vacancy',
    'vacancies',
    'internship',
    'position',
    'salary',
  ],
};
