/**
 * Inkling's scoring model: pure functions of (events, config, now). No I/O, no clock reads.
 * See docs/SCORING.md for the formulas, constants and worked examples.
 */

export { accountPointsAt, scoreAccount, scoreAccountFromHits } from './account.ts';
export { categorize, pagePath } from './categorize.ts';
export { type CompiledConfig, compileConfig, normalizeEventName, type ScoringModel } from './compile.ts';
export {
  type ConfigIssue,
  type DerivedRule,
  type ParseConfigResult,
  parseScoringConfig,
  type RuleCondition,
  type ScoringConfig,
  type ScoringRule,
  type SignalDefinition,
  scoringConfigSchema,
} from './config.ts';
export { recencyFactor } from './decay.ts';
export { defaultConfig } from './default-config.ts';
export {
  type BackBy,
  type ContactSignals,
  chronological,
  collectSignals,
  deriveAccountSignals,
  type Fold,
  foldSignals,
  foldsAfter,
  hitsThrough,
} from './derive.ts';
export { normalizePath } from './glob.ts';
export { eventsInHorizon, hitsKept, horizonStart } from './horizon.ts';
export { classifyChatText } from './intent-type.ts';
export { type PackedHit, packHits, unpackHits } from './pack.ts';
export {
  type CatalogueRow,
  catalogueMarkdown,
  catalogueRows,
  constantsMarkdown,
  defaultEventNames,
} from './reference.ts';
export { diversityOf, nextChangeAt, pointsToScore, scorePerson, scoreSignals } from './score.ts';
export { tierOf } from './tier.ts';
export { trendOf } from './trend.ts';
export type {
  AccountContact,
  AccountContribution,
  AccountScoreResult,
  ContactContribution,
  Contribution,
  EventType,
  IntentClass,
  IntentType,
  Level,
  ScoreResult,
  ScoringEvent,
  Signal,
  SignalHit,
  Tier,
  Trend,
} from './types.ts';
// Intentionally not exported: evaluate(), the compiled rule shapes and the catalogue's parts
// (read them from defaultConfig), so that they can change without breaking callers.
