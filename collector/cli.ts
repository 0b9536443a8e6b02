import { parseArgs } from 'node:util';
import { releaseLeases } from './alerts/claim.ts';
import { DEFAULT_DELIVERY, readDeliverySettings } from './alerts/settings.ts';
import { startDelivery } from './alerts/worker.ts';
import { openChangeFeed } from './changes/feed.ts';
import { readConfig } from './config.ts';
import { generatePassword } from './dashboard/passwords.ts';
import { createUser, userInputSchema } from './dashboard/users.ts';
import type { Database } from './db/client.ts';
import { ensureEventPartitions } from './db/partitions.ts';
import { applyRetention, readRetentionSettings } from './db/retention.ts';
import { createLogger, type LogLevel } from './log.ts';
import { recoverUnscored } from './pipeline/recover.ts';
import { originSchema } from './routes/admin.ts';
import { openConfiguredDatabase } from './runtime.ts';
import { createConfigStore } from './scoring/config-store.ts';
import { rescore } from './scoring/rescore.ts';
import { createSite, listSites, rotateSiteKeys } from './sites.ts';

const USAGE = `usage: npm run inkling -- <command>

  site create --name NAME [--origins https://a.com,https://b.com]
  site list
  keys rotate SITE_ID [--write] [--secret] [--verification]   (default: --secret)
  migrate
  rescore [--site SITE_ID] [--all]           (default: the scores that are due; also scores
                                             the events a crash left unscored, every site's)
  user add --site SITE_ID --email E --name N --role admin|rep [--password P] [--slack U0123ABCD]
                                             a dashboard user (without --password, one is
                                             generated and printed once)
  deliver                                    a delivery worker: sends the rules' webhooks and
                                             Slack messages from the outbox until stopped
                                             (SIGINT/SIGTERM), beside collectors started with
                                             INKLING_DELIVERY=off on the same PostgreSQL
  retention                                  makes the event partitions ahead, then deletes
                                             what is older than the retention settings
                                             (INKLING_RETENTION_DAYS, each site's own, and
                                             INKLING_MESSAGE_ID_RETENTION_DAYS for the ledger)

Add --json to any command for machine-readable output. The database is DATABASE_URL,
or the embedded one in INKLING_DATA_DIR (default ./.inkling) when it is unset.`;

class UsageError extends Error {}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      origins: { type: 'string' },
      write: { type: 'boolean', default: false },
      secret: { type: 'boolean', default: false },
      verification: { type: 'boolean', default: false },
      site: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      password: { type: 'string' },
      slack: { type: 'string' },
      all: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [group, verb, arg] = positionals;
  if (values.help || !group) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const single = ['migrate', 'rescore', 'retention', 'deliver'];
  const command = single.includes(group) ? group : `${group} ${verb ?? ''}`.trim();
  if (![...single, 'site create', 'site list', 'keys rotate', 'user add'].includes(command)) {
    throw new UsageError(`unknown command: ${command}`);
  }

  if (command === 'site create' && !values.name?.trim()) throw new UsageError('site create needs --name');
  const origins = (values.origins ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of origins) {
    if (!originSchema.safeParse(o).success) throw new UsageError(`not an origin: ${o} (e.g. https://example.com)`);
  }
  if (command === 'keys rotate' && !arg) throw new UsageError('keys rotate needs a SITE_ID');
  if (command === 'user add' && !values.site) throw new UsageError('user add needs --site SITE_ID');
  const generated = command === 'user add' && values.password === undefined ? generatePassword() : undefined;
  const user =
    command === 'user add'
      ? userInputSchema.safeParse({
          email: values.email,
          name: values.name,
          role: values.role,
          password: values.password ?? generated,
          slackMemberId: values.slack ?? null,
        })
      : undefined;
  if (user && !user.success) {
    const issue = user.error.issues[0];
    throw new UsageError(
      `user add: --${String(issue?.path[0] ?? 'email').replace('slackMemberId', 'slack')}: ${issue?.message}`,
    );
  }

  const out = (human: string, data: unknown) =>
    process.stdout.write(`${values.json ? JSON.stringify(data, null, 2) : human}\n`);

  const config = readConfig();
  const retention = command === 'retention' ? readRetentionSettings() : undefined;
  const { db, close } = await openConfiguredDatabase(config);
  try {
    switch (command) {
      case 'migrate':
        out(`migrations applied (${db.kind})`, { migrated: true, database: db.kind });
        return 0;
      case 'rescore': {
        const started = performance.now();
        const configs = createConfigStore(db);
        // Every site's crash leftovers first (the embedded folder is this process's alone).
        const graceMs = db.kind === 'embedded' ? 0 : undefined;
        const recovered = (await recoverUnscored(db, configs, { graceMs })).events;
        const done = await rescore(db, configs, { siteId: values.site, all: values.all });
        const ms = Math.round(performance.now() - started);
        const lost = recovered ? `, scored ${recovered} events a crash left unscored,` : '';
        out(`rescored ${done.persons} people and ${done.accounts} accounts${lost} in ${ms} ms`, {
          ...done,
          recovered,
          ms,
        });
        return 0;
      }
      case 'deliver': {
        await deliverUntilStopped(db, config.publicUrl, config.logLevel, out);
        return 0;
      }
      case 'retention': {
        const started = performance.now();
        const now = new Date();
        const created = await ensureEventPartitions(db, now);
        const done = await applyRetention(db, retention ?? readRetentionSettings(), now);
        const ms = Math.round(performance.now() - started);
        out(
          `made ${created.length} event partitions, dropped ${done.droppedPartitions.length}, deleted ${done.deletedEvents} events and ${done.prunedMessageIds} ledger rows in ${ms} ms`,
          { createdPartitions: created, ...done, ms },
        );
        return 0;
      }
      case 'site create': {
        const site = await createSite(db, (values.name ?? '').trim(), origins);
        out(
          [
            `site created: ${site.name}`,
            `  site id:    ${site.siteId}`,
            `  origins:    ${site.origins.join(', ') || '(any)'}`,
            `  write key:  ${site.writeKey}`,
            `  secret key: ${site.secretKey}   (shown once; only its hash is stored)`,
            `  verification secret: ${site.verificationSecret}   (server-side: user_hash = HMAC-SHA256 of the user id)`,
          ].join('\n'),
          site,
        );
        return 0;
      }
      case 'site list': {
        const rows = await listSites(db);
        const data = rows.map((s) => ({
          siteId: s.id,
          name: s.name,
          origins: s.origins,
          writeKey: s.writeKey,
          createdAt: s.createdAt,
        }));
        const human = data.length
          ? data
              .map((s) => `${s.siteId}  ${s.writeKey}  ${s.name}  [${s.origins.join(', ') || 'any origin'}]`)
              .join('\n')
          : 'no sites yet: npm run inkling -- site create --name "My site"';
        out(human, data);
        return 0;
      }
      case 'user add': {
        if (!user?.success) return 2;
        const created = await createUser(db, values.site ?? '', user.data);
        const lines = [
          `dashboard user created: ${created.name} <${created.email}> (${created.role}) of ${created.siteId}`,
          `  sign in at ${config.publicUrl}/dashboard/login`,
        ];
        if (generated) lines.push(`  password: ${generated}   (shown once)`);
        out(lines.join('\n'), { ...created, ...(generated ? { password: generated } : {}) });
        return 0;
      }
      case 'keys rotate': {
        const which =
          values.write || values.secret || values.verification
            ? { write: values.write, secret: values.secret, verification: values.verification }
            : { write: false, secret: true };
        const rotated = await rotateSiteKeys(db, arg ?? '', which);
        if (!rotated) {
          process.stderr.write(`no site with id ${arg}\n`);
          return 1;
        }
        const lines = [`keys rotated for ${arg}; the old ones no longer work`];
        if (rotated.writeKey) lines.push(`  write key:  ${rotated.writeKey}`);
        if (rotated.secretKey) lines.push(`  secret key: ${rotated.secretKey}   (shown once)`);
        if (rotated.verificationSecret) lines.push(`  verification secret: ${rotated.verificationSecret}`);
        out(lines.join('\n'), rotated);
        return 0;
      }
    }
    return 2;
  } finally {
    await close();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`inkling: ${err.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`inkling: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);

/**
 * `deliver`: the outbox's dispatcher and digest job alone, until SIGINT or SIGTERM; then the
 * attempts in flight are cut and released (another worker, or this one restarted, sends them).
 */
async function deliverUntilStopped(
  db: Database,
  publicUrl: string,
  logLevel: LogLevel,
  out: (human: string, data: unknown) => void,
): Promise<void> {
  const log = createLogger(logLevel);
  // An embedded folder is this process's alone: a lease left in it is a dead process's.
  if (db.kind === 'embedded') await releaseLeases(db);
  const changes = openChangeFeed(db, log);
  const settings = { ...DEFAULT_DELIVERY, ...readDeliverySettings() };
  const delivery = startDelivery(db, { settings, publicUrl, log, changes });
  out('delivering the outbox; stop with Ctrl-C (SIGINT) or SIGTERM', { delivering: true, database: db.kind });
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info('stopping delivery', { signal });
  await delivery.stop();
  await changes.close();
  out('delivery stopped', { delivering: false });
}
