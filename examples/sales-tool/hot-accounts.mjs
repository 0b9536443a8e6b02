#!/usr/bin/env node
/**
 * Today's hot and rising accounts, with the reasons: what a sales team reads each morning.
 * Plain Node (18 or later), no dependencies: it only calls the Sales API.
 *
 *   INKLING_URL=http://127.0.0.1:8787 INKLING_SECRET_KEY=sk_... node examples/sales-tool/hot-accounts.mjs
 *
 * Options: --limit N (accounts per list, default 10), --json (one JSON document instead of text).
 * Exits 1 with the API's error message when the key or the collector is wrong.
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { limit: { type: 'string', default: '10' }, json: { type: 'boolean', default: false } },
});
const base = (process.env.INKLING_URL || 'http://127.0.0.1:8787').replace(/\/$/, '');
const key = process.env.INKLING_SECRET_KEY;
if (!key) fail("Set INKLING_SECRET_KEY to the site's secret key (sk_...).");

/** GET a Sales API path with the secret key; the parsed JSON, or exit with the API's error. */
async function get(path) {
  let res;
  try {
    res = await fetch(base + path, { headers: { authorization: `Bearer ${key}` } });
  } catch (err) {
    fail(`Cannot reach ${base}: ${err.cause?.message ?? err.message}`);
  }
  const body = await res.json().catch(() => ({}));
  if (!res.ok) fail(`${path}: ${res.status} ${body.error?.message ?? res.statusText}`);
  return body;
}

/** A list's accounts, each with its detail (signals and contacts). */
async function accounts(query) {
  const { data } = await get(`/v1/accounts?${query}&limit=${Number(values.limit) || 10}`);
  return Promise.all(data.map((a) => get(`/v1/accounts/${encodeURIComponent(a.id)}`)));
}

const [hot, rising] = await Promise.all([accounts('tier=high&sort=-score'), accounts('list=rising&sort=-score')]);

if (values.json) {
  process.stdout.write(`${JSON.stringify({ hot, rising }, null, 2)}\n`);
} else {
  const day = new Date().toISOString().slice(0, 10);
  print(`Hot accounts (High tier), ${day}`, hot);
  print('Rising accounts (+20 points or more in 7 days)', rising);
}

function print(title, list) {
  process.stdout.write(`\n${title}\n`);
  if (list.length === 0) process.stdout.write('  none\n');
  list.forEach((a, i) => {
    const change = a.change7d > 0 ? `+${a.change7d}` : `${a.change7d}`;
    const name = a.domain ?? a.name ?? a.id;
    process.stdout.write(`  ${i + 1}. ${name}: ${a.score} (${a.tier}, ${a.trend}, ${change} in 7 days)\n`);
    const why = a.explanation
      .slice(0, 3)
      .map((s) => `${s.label} ${s.points} pts${s.contacts > 1 ? ` (${s.contacts} people)` : ''}`);
    if (why.length > 0) process.stdout.write(`     why: ${why.join('; ')}\n`);
    const engaged = a.contacts.filter((c) => c.engaged).length;
    process.stdout.write(`     contacts: ${a.contacts.length}, ${engaged} engaged\n`);
  });
}

function fail(message) {
  process.stderr.write(`hot-accounts: ${message}\n`);
  process.exit(1);
}
