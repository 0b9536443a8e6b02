import { type DigestPayload, tierName } from './digest.ts';
import type { RuleSubject, WebhookPayload, WebhookSubject } from './types.ts';

/**
 * Slack incoming-webhook messages (Block Kit) for a firing and for a digest. `text` is the
 * notification's fallback; `blocks` what the channel shows.
 */
export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

/** How many signals, and digest lines, a message shows. */
export const SLACK_TOP_SIGNALS = 5;
export const SLACK_DIGEST_LINES = 10;

/** Slack's mrkdwn control characters, escaped as its docs ask. */
const mrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** A Slack user or group id (`U024BE7LH`) becomes a mention; an email or name stays text. */
export function mention(who: string): string {
  return /^[UW][A-Z0-9]{6,}$/.test(who) ? `<@${who}>` : mrkdwn(who);
}

/** The dashboard page of a subject on the collector's public URL. */
export function dashboardUrl(publicUrl: string, kind: RuleSubject, id: string): string {
  const page = kind === 'account' ? 'accounts' : 'people';
  return `${publicUrl.replace(/\/+$/, '')}/dashboard/${page}/${encodeURIComponent(id)}`;
}

/** The subject a firing is about: the rule's kind, else whichever the payload carries. */
export function firingSubject(
  payload: WebhookPayload,
  kind: RuleSubject,
): { kind: RuleSubject; subject: WebhookSubject } | null {
  const first = payload[kind];
  if (first) return { kind, subject: first };
  if (payload.account) return { kind: 'account', subject: payload.account };
  if (payload.person) return { kind: 'person', subject: payload.person };
  return null;
}

const nameOf = (s: WebhookSubject) => s.name || s.id;
const tierChange = (s: WebhookSubject) =>
  s.previousTier && s.previousTier !== s.tier
    ? `${tierName(s.previousTier)} → ${tierName(s.tier)}`
    : `${tierName(s.tier)} (was ${tierName(s.previousTier)})`;

/**
 * One firing as a Slack message: who, score and tier change, top signals, recipient, a link.
 * `memberId` is the recipient's Slack member id (a dashboard user's): the message then
 * mentions them, which notifies them in the channel.
 */
export function slackMessage(
  payload: WebhookPayload,
  kind: RuleSubject,
  publicUrl: string,
  memberId: string | null = null,
): SlackMessage {
  const found = firingSubject(payload, kind);
  const who = found ? nameOf(found.subject) : 'Someone';
  const link = found ? dashboardUrl(publicUrl, found.kind, found.subject.id) : null;
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(`${payload.rule.name}: ${who}`, 150) } },
  ];
  if (found) {
    const s = found.subject;
    const title = link ? `<${link}|${mrkdwn(cut(who, 200))}>` : mrkdwn(who);
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*${title}* (${found.kind}) ${mrkdwn(payload.reason)}` },
      fields: [
        { type: 'mrkdwn', text: `*Score*\n${s.score}` },
        { type: 'mrkdwn', text: `*Tier*\n${tierChange(s)}` },
      ],
    });
  }
  const top = [...payload.signals].sort((a, b) => b.points - a.points).slice(0, SLACK_TOP_SIGNALS);
  if (top.length > 0) {
    const lines = top.map((g) => `• ${mrkdwn(g.signal)} (+${g.points})`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Top signals*\n${lines.join('\n')}` } });
  }
  const recipient = payload.recipient ?? found?.subject.owner ?? null;
  const shown = recipient && memberId ? `${mention(memberId)} (${mrkdwn(recipient)})` : recipient && mention(recipient);
  const context = [shown ? `For ${shown}` : 'No owner', `Fired ${payload.firedAt}`];
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });
  if (link) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Inkling' }, url: link }],
    });
  }
  const text = found
    ? `${payload.rule.name}: ${who} is ${tierName(found.subject.tier)} (score ${found.subject.score})`
    : `${payload.rule.name} fired`;
  return { text: recipient ? `${text} — for ${recipient}` : text, blocks };
}

/** A digest as one Slack message: the summary, then the first subjects with their tier and a link. */
export function slackDigest(digest: DigestPayload, kind: RuleSubject, publicUrl: string): SlackMessage {
  const lines = digest.firings.slice(0, SLACK_DIGEST_LINES).map((f) => {
    const found = firingSubject(f, kind);
    if (!found) return `• ${mrkdwn(f.reason)}`;
    const s = found.subject;
    const link = dashboardUrl(publicUrl, found.kind, s.id);
    return `• <${link}|${mrkdwn(cut(nameOf(s), 200))}>: ${tierChange(s)}, score ${s.score}`;
  });
  const more = digest.firings.length - SLACK_DIGEST_LINES;
  if (more > 0) lines.push(`…and ${more} more`);
  return {
    text: `${digest.rule.name}: ${digest.digest.summary}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: cut(digest.rule.name, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: `*${mrkdwn(digest.digest.summary)}*` } },
      { type: 'section', text: { type: 'mrkdwn', text: cut(lines.join('\n'), 3000) } },
    ],
  };
}
