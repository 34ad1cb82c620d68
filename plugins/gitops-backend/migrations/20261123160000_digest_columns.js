// @ts-check

/**
 * Commits can be OCI digests: `sha512:` + 128 hex is 135 characters, more than the 128 the columns
 * were created with. PostgreSQL enforces varchar lengths (SQLite does not, and needs nothing).
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  if (knex.client.dialect !== 'postgresql') return;
  await knex.schema.alterTable('gitops_records', table => {
    table.string('commit', 160).nullable().alter();
  });
  await knex.schema.alterTable('gitops_record_events', table => {
    table.string('commit', 160).nullable().alter();
    table.string('prev_commit', 160).nullable().alter();
  });
};

exports.down = async function down() {
  // Narrowing could cut stored digests; keep the wider columns.
};
