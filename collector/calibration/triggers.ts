import type { TriggerLift } from '../../shared/calibration/report.ts';
import { listRules } from '../alerts/rules-store.ts';
import { ruleStats } from '../alerts/stats.ts';
import type { Database } from '../db/client.ts';

/**
 * Conversion of fired against held-out subjects for every rule with a holdout, as the rule's
 * stats count it (`ruleStats`: its goal, within `days` of the first firing).
 */
export async function triggerLifts(db: Database, siteId: string, days: number): Promise<TriggerLift[]> {
  const rules = (await listRules(db, siteId)).filter((r) => (r.definition.holdout ?? 0) > 0);
  const out: TriggerLift[] = [];
  for (const rule of rules) {
    const stats = await ruleStats(db, siteId, rule.id, { days });
    if (!stats) continue; // deleted meanwhile
    const { goal, fired, heldOut, lift } = stats.conversion;
    out.push({ rule: { id: rule.id, name: rule.name }, goal, days, fired, heldOut, lift });
  }
  return out;
}
