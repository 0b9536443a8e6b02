import { rateOf } from './rates.ts';
import type { RankingQuality } from './report.ts';

/**
 * The area under the ROC curve from ranks (the Mann-Whitney statistic): the chance that a
 * converted observation scores above one that did not, ties counting half. Null when the
 * labels are all one class.
 */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j) / 2 + 1; // the average rank of a run of ties (1-based)
    for (let m = i; m <= j; m++) {
      if (labels[order[m]!]) {
        positives++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Conversion of the top 10 % of observations by score (at least one when there are any);
 * ties at the cut are taken in observation order, so equal scores do not pick the converted.
 */
export function topDecile(scores: ArrayLike<number>, labels: ArrayLike<number>) {
  const n = scores.length;
  const take = n === 0 ? 0 : Math.ceil(n / 10);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
  let converted = 0;
  for (let i = 0; i < take; i++) if (labels[order[i]!]) converted++;
  return rateOf(converted, take);
}

/** AUC and top-decile conversion of one ranking of the same observations. */
export function rankingQuality(scores: ArrayLike<number>, labels: ArrayLike<number>): RankingQuality {
  return { auc: auc(scores, labels), topDecile: topDecile(scores, labels) };
}
