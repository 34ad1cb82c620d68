import type { Knex } from 'knex';
import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';

const migrationsDir = resolvePackagePath(
  '@gitops-status/plugin-gitops-backend',
  'migrations',
);

/**
 * The plugin's database client with every migration in `migrations/` applied, unless the
 * deployment skips migrations. Shared by every store of the plugin.
 */
export async function migratedClient(
  database: DatabaseService,
  skipMigrations?: boolean,
): Promise<Knex> {
  const knex = await database.getClient();
  if (!database.migrations?.skip && !skipMigrations) {
    await migrateLatest(knex);
  }
  return knex;
}

/** A key of our own for PostgreSQL's advisory locks: "gitops-status migrations". */
const MIGRATION_LOCK_KEY = 7_318_852_106;

/**
 * Runs the migrations with an exclusive PostgreSQL advisory lock held on a connection of its own.
 * Without it, replicas starting together on an empty database race to create knex's migration
 * tables: one may fail outright, and two may each insert the lock table's row, after which knex's
 * lock (an UPDATE expecting one row) fails for every replica, forever. SQLite is one process.
 */
async function migrateLatest(knex: Knex): Promise<void> {
  const migrate = () => knex.migrate.latest({ directory: migrationsDir });
  if (knex.client.dialect !== 'postgresql') {
    await migrate();
    return;
  }
  const connection = await knex.client.acquireConnection();
  try {
    await knex
      .raw('select pg_advisory_lock(?)', [MIGRATION_LOCK_KEY])
      .connection(connection);
    try {
      await migrate();
    } finally {
      await knex
        .raw('select pg_advisory_unlock(?)', [MIGRATION_LOCK_KEY])
        .connection(connection);
    }
  } finally {
    await knex.client.releaseConnection(connection);
  }
}
