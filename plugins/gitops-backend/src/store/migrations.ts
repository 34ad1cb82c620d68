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
    await knex.migrate.latest({ directory: migrationsDir });
  }
  return knex;
}
