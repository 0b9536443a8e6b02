import type { WeeklyObservation } from '../../shared/calibration/by-tier.ts';
import { type CompactHits, HitCodes } from '../../shared/calibration/compact.ts';
import { observation, personAt } from '../../shared/calibration/observe.ts';
import {
  accountPointsAt,
  type CompiledConfig,
  deriveAccountSignals,
  pointsToScore,
  tierOf,
} from '../../shared/scoring/index.ts';
import type { PersonHistory } from './histories.ts';

/**
 * The observations of a calibration report, accumulated page by page: for each person and
 * each weekly snapshot W at which they are observed (`observation`), their points, score and
 * tier at W under the current model, the regression's features (each signal's unit-point
 * weight at W) and whether they converted; accounts the same from their contacts' signals
 * (the model's roll-up), without features. Kept in flat arrays; each observed person's
 * signals are kept compact (`HitCodes`) to score the test set again under other weights.
 */
export class Observations {
  readonly codes = new HitCodes();
  /** Observed persons, in reading order: their first-seen time and compact signals. */
  readonly persons: { id: string; firstSeen: number; hits: CompactHits }[] = [];
  // One entry per person observation; a person's observations are contiguous.
  readonly person: number[] = [];
  readonly week: number[] = [];
  readonly converted: number[] = [];
  readonly points: number[] = [];
  readonly score: number[] = [];
  readonly featureOffsets: number[] = [0];
  readonly featureIndex: number[] = [];
  readonly featureValue: number[] = [];
  readonly accounts: WeeklyObservation[] = [];
  /** Signal ids by feature index, and the reverse. */
  readonly signals: string[] = [];
  private readonly signalIndex = new Map<string, number>();
  events = 0;

  constructor(
    private readonly model: CompiledConfig,
    readonly weeks: readonly number[],
    private readonly windowMs: number,
  ) {}

  get size(): number {
    return this.person.length;
  }

  /** Adds one page of persons (accounts whole) and their accounts. */
  addPage(page: readonly PersonHistory[]): void {
    for (const p of page) {
      this.events += p.events;
      this.addPerson(p);
    }
    const byAccount = new Map<string, PersonHistory[]>();
    for (const p of page) {
      if (p.accountId === null) continue;
      const list = byAccount.get(p.accountId);
      if (list) list.push(p);
      else byAccount.set(p.accountId, [p]);
    }
    for (const contacts of byAccount.values()) this.addAccount(contacts);
  }

  private addPerson(p: PersonHistory): void {
    const { model } = this;
    let observed = false;
    const index = this.persons.length;
    for (const w of this.weeks) {
      const seen = observation(p.hits, p.outcomes, w, this.windowMs);
      if (!seen) continue;
      observed = true;
      const { points, weights } = personAt(p.hits, model, w);
      this.person.push(index);
      this.week.push(w);
      this.converted.push(seen.converted ? 1 : 0);
      this.points.push(points);
      this.score.push(pointsToScore(points, model.config));
      for (const [signal, weight] of weights) {
        this.featureIndex.push(this.indexOf(signal));
        this.featureValue.push(weight);
      }
      this.featureOffsets.push(this.featureIndex.length);
    }
    if (observed) this.persons.push({ id: p.id, firstSeen: p.firstSeen ?? 0, hits: this.codes.pack(p.hits) });
  }

  private addAccount(contacts: PersonHistory[]): void {
    const { model } = this;
    const people = [...contacts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const hits = people.map((c) => c.hits);
    const accountHits = deriveAccountSignals(
      people.map((c) => ({ personId: c.id, hits: c.hits })),
      model,
    );
    const all = [...hits.flat(), ...accountHits];
    const outcomes = people.flatMap((c) => c.outcomes).sort((a, b) => a - b);
    for (const w of this.weeks) {
      const seen = observation(all, outcomes, w, this.windowMs);
      if (!seen) continue;
      const score = pointsToScore(accountPointsAt(hits, accountHits, model, w), model.config);
      this.accounts.push({ week: w, tier: tierOf(score, model.config), converted: seen.converted });
    }
  }

  private indexOf(signal: string): number {
    let i = this.signalIndex.get(signal);
    if (i === undefined) {
      i = this.signals.length;
      this.signals.push(signal);
      this.signalIndex.set(signal, i);
    }
    return i;
  }

  /** The person observations as tier observations (for conversion by tier). */
  personTiers(): WeeklyObservation[] {
    return this.person.map((_, i) => ({
      week: this.week[i]!,
      tier: tierOf(this.score[i]!, this.model.config),
      converted: this.converted[i] === 1,
    }));
  }
}
