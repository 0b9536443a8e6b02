import type { Config } from './config.ts';
import { type Database, openDatabase } from './db/client.ts';
import { lockDataDir } from './db/lock.ts';
import { migrateDatabase } from './db/migrate.ts';

export interface OpenedDatabase {
  db: Database;
  /** Closes the database and frees the embedded data folder. */
  close(): Promise<void>;
}

/** Opens (and migrates) the database the configuration names: PostgreSQL or embedded. */
export async function openConfiguredDatabase(config: Config): Promise<OpenedDatabase> {
  const unlock = config.databaseUrl ? () => {} : lockDataDir(config.dataDir);
  try {
    const db = await openDatabase({
      url: config.databaseUrl,
      dataDir: config.dataDir,
      prepare: config.preparedStatements,
    });
    await migrateDatabase(db);
    return {
      db,
      async close() {
        await db.close();
        unlock();
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}
