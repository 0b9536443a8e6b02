import { randomUUID } from 'node:crypto';
import { isCapped, recordFiring } from '../../shared/rules/caps.ts';
import { isHeldOut } from '../../shared/rules/holdout.ts';
import { route } from '../../shared/rules/routing.ts';
import type { Fire, RuleEvent } from '../../shared/rules/state.ts';
import { goalReached } from '../../shared/rules/stop.ts';
import type { WebhookPayload } from '../../shared/rules/types.ts';
import type { ScoresStored, StoredScore } from '../changes/stored.ts';
import type { Queryable } from '../db/client.ts';
import { type PairFacts, pairKey } from './facts.ts';
import { enqueueFirings, type NewFiring, type StopPair } from './outbox.ts';
import type { StoredRule } from './rules-store.ts';

/**
 * What the evaluator does with the conditions that hold on a change (evaluator.ts): stop
 * conditions, holdout, caps and routing, then the firings with their outbox rows, written in
 * the scoring transaction.
 */

/** A rule whose condition holds for a subject on this change. */
export interface Candidate {
  rule: StoredRule;
  subject: { stored: StoredScore };
  fire: Fire;
}

/**
 * Stop conditions, holdout, caps and routing for the conditions that hold, then the firings,
 * with `stops` (pairs whose goal arrived with this change) and the stops found here, in one
 * statement.
 */
export async function recordFirings(
  tx: Queryable,
  stored: ScoresStored,
  candidates: Candidate[],
  eventsOf: (id: string) => RuleEvent[],
  { known, info }: PairFacts,
  giveUpMs: number,
  stops: readonly StopPair[],
): Promise<void> {
  const { site, kind, now } = stored;
  const stop = [...stops];
  const stoppedNow = new Set(stops.map((p) => pairKey(p.ruleId, p.subjectId)));
  const live = candidates.filter((c) => {
    const id = c.subject.stored.id;
    const key = pairKey(c.rule.id, id);
    if (stoppedNow.has(key) || known.get(key)?.stopped) return false;
    if (goalReached(c.rule.definition.stopWhen, eventsOf(id))) {
      stop.push({ ruleId: c.rule.id, subjectId: id });
      return false;
    }
    return true;
  });

  const outcomes = live.map((c) => {
    const id = c.subject.stored.id;
    const state = known.get(pairKey(c.rule.id, id)) ?? { count: 0, recent: [], stopped: false };
    const def = c.rule.definition;
    const outcome: NewFiring['outcome'] = isHeldOut(c.rule.id, id, def.holdout)
      ? 'held_out'
      : isCapped(def.cap, state, now)
        ? 'capped'
        : 'fired';
    return { c, state, outcome, owner: info.get(id)?.owner ?? null };
  });

  const firings: NewFiring[] = outcomes.map((o) => {
    const { rule, subject, fire } = o.c;
    const id = `msg_${randomUUID().replaceAll('-', '')}`;
    // A firing routed round-robin gets its rep in the firings statement (`enqueueFirings`),
    // which takes the rule's position at commit: no round trip, no rule row held meanwhile.
    const routed = o.outcome === 'fired' ? route(rule.definition.route, o.owner, 0) : null;
    const roundRobin = routed?.usedRoundRobin ? rule.definition.route?.roundRobin : undefined;
    const recipient = roundRobin ? null : (routed?.recipient ?? null);
    const s = subject.stored;
    const payload: WebhookPayload = {
      id,
      rule: { id: rule.id, name: rule.name },
      firedAt: new Date(now).toISOString(),
      [kind]: {
        id: s.id,
        name: info.get(s.id)?.name ?? null,
        score: s.after.score,
        tier: s.after.tier,
        // A subject scored for the first time was at 0, low, before (as its history says).
        previousTier: s.before?.tier ?? 'low',
        owner: o.owner,
      },
      ...(rule.definition.route ? { recipient } : {}),
      reason: fire.reason,
      signals:
        fire.signals.length > 0
          ? fire.signals
          : s.after.explanation.map((e) => ({
              signal: e.signal,
              points: e.points,
              ...(e.lastAt ? { at: e.lastAt } : {}),
            })),
    };
    return {
      id,
      ruleId: rule.id,
      subjectKind: kind,
      subjectId: s.id,
      changeKey: fire.changeKey,
      outcome: o.outcome,
      recipient,
      ...(roundRobin ? { roundRobin } : {}),
      payload: payload as unknown as Record<string, unknown>,
      firedAt: now,
      // A digest rule's firings wait for the digest job, which sends them together.
      actions: rule.definition.digest ? [] : rule.definition.actions,
    };
  });
  // Fired and held-out firings count against the caps; capped ones do not. Stored with the
  // firings, in the same statement, for those really recorded, and only for a rule with a
  // cap: nothing else reads them, and a cap added later counts the firings then
  // (rules-store.ts `recountCaps`).
  const counts = outcomes.flatMap((o, i) =>
    o.outcome === 'capped' || !o.c.rule.definition.cap
      ? []
      : [
          {
            firingId: firings[i]!.id,
            ruleId: o.c.rule.id,
            subjectId: o.c.subject.stored.id,
            recent: recordFiring(o.c.rule.definition.cap, o.state, now).recent,
          },
        ],
  );
  await enqueueFirings(tx, site, firings, giveUpMs, counts, stop, now);
}
