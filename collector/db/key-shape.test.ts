import { describe, expect, it } from 'vitest';
import { useTestCollector } from '../../test/helpers/collector.ts';
import type { Database } from './client.ts';
import { REFERENCE_TABLES } from './schema.ts';

let db: Database;
useTestCollector((env) => {
  ({ db } = env);
});

interface Key {
  table: string;
  name: string;
  kind: string;
  first: string | null;
  referenced: string | null;
  referencedFirst: string | null;
}

/**
 * Every primary key, unique index and foreign key of the schema's tables (partitions included),
 * with its first column, read from the real catalog.
 */
async function keys(): Promise<Key[]> {
  const indexes = await db.query<Key>(
    `select t.relname as "table", i.relname as name,
            case when x.indisprimary then 'primary key' else 'unique index' end as kind,
            a.attname as first, null as referenced, null as "referencedFirst"
     from pg_index x
     join pg_class i on i.oid = x.indexrelid
     join pg_class t on t.oid = x.indrelid
     join pg_namespace n on n.oid = t.relnamespace
     left join pg_attribute a on a.attrelid = t.oid and a.attnum = x.indkey[0]
     where n.nspname = 'public' and (x.indisprimary or x.indisunique)`,
  );
  const foreign = await db.query<Key>(
    `select t.relname as "table", c.conname as name, 'foreign key' as kind, a.attname as first,
            r.relname as referenced, ra.attname as "referencedFirst"
     from pg_constraint c
     join pg_class t on t.oid = c.conrelid
     join pg_namespace n on n.oid = t.relnamespace
     join pg_class r on r.oid = c.confrelid
     left join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
     left join pg_attribute ra on ra.attrelid = c.confrelid and ra.attnum = c.confkey[1]
     where n.nspname = 'public' and c.contype = 'f'`,
  );
  return [...indexes, ...foreign];
}

const reference = new Set<string>(REFERENCE_TABLES);

describe('every key leads with site_id, so the tables can be distributed on it', () => {
  it('should find site_id first in every primary key, unique index and foreign key outside the reference tables', async () => {
    const all = await keys();
    const distributed = all.filter((k) => !reference.has(k.table));
    const wrong = distributed.filter(
      (k) =>
        k.first !== 'site_id' ||
        (k.kind === 'foreign key' && !reference.has(k.referenced ?? '') && k.referencedFirst !== 'site_id'),
    );
    expect(wrong).toEqual([]);
    // It read the real schema: the events' partitions and the ledger are there.
    const tables = new Set(distributed.map((k) => k.table));
    for (const t of ['events', 'events_default', 'message_ids', 'persons', 'links', 'person_scores']) {
      expect(tables, t).toContain(t);
    }
  });

  it('should have only the named reference tables keyed otherwise, and have them', async () => {
    const tables = (await keys()).filter((k) => k.first !== 'site_id').map((k) => k.table);
    expect([...new Set(tables)].sort()).toEqual([...REFERENCE_TABLES].sort());
  });
});
