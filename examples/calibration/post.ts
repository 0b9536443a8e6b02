/**
 * `npm run example:calibration -- --url http://127.0.0.1:8787 --key <secret key>`: posts the
 * synthetic calibration data (generate.ts: 3,000 visitors over 20 weeks, seed 14) to a
 * running collector through `POST /v1/batch`, all with the site's secret key (server-side
 * senders are trusted: the page views keep their timestamps). Then read `GET /v1/calibration`.
 */
import { parseArgs } from 'node:util';
import { batches, generateVisitors } from './generate.ts';

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'http://127.0.0.1:8787' },
    key: { type: 'string' },
    visitors: { type: 'string', default: '3000' },
    seed: { type: 'string', default: '14' },
  },
});
if (!values.key) {
  console.error('usage: npm run example:calibration -- --url http://127.0.0.1:8787 --key <secret key>');
  process.exit(2);
}
const seed = Number(values.seed);
const data = generateVisitors({ seed, visitors: Number(values.visitors), weeks: 20, now: Date.now() });
const auth = `Basic ${Buffer.from(`${values.key}:`).toString('base64')}`;
let sent = 0;
for (const batch of [...batches(data.browser), ...batches(data.crm)]) {
  const res = await fetch(new URL('/v1/batch', values.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: auth },
    body: JSON.stringify({ batch }),
  });
  if (res.status !== 200) {
    console.error(`POST /v1/batch answered ${res.status}: ${await res.text()}`);
    process.exit(1);
  }
  sent += batch.length;
}
console.log(
  `sent ${sent} messages: ${data.browser.length} from the pages, ${data.crm.length} outcomes (${data.converted} visitors booked a demo)`,
);
