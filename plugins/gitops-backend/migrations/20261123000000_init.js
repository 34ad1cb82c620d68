// @ts-check

/**
 * Current records (merged per object), what each source target last reported, entity bindings and
 * per-target source health.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  // One row per (source target, object): what that target reported. Kept when the target fails.
  await knex.schema.createTable('gitops_observations', table => {
    table.string('target_id', 255).notNullable();
    table.string('record_id', 1024).notNullable();
    table.string('hash', 64).notNullable();
    table.text('data').notNullable();
    table.primary(['target_id', 'record_id']);
    table.index(['record_id'], 'gitops_observations_record_idx');
  });

  // One row per object: the merge of every observation of it.
  await knex.schema.createTable('gitops_records', table => {
    table.string('record_id', 1024).primary().notNullable();
    table.string('tool', 32).notNullable();
    table.string('cluster', 255).notNullable();
    table.string('namespace', 255).notNullable();
    table.string('kind', 64).notNullable();
    table.string('name', 255).notNullable();
    table.string('state', 32).notNullable();
    table.string('sync', 32).notNullable();
    table.string('health', 32).notNullable();
    table.string('compliance', 32).notNullable();
    table.string('commit', 128).nullable();
    table.string('attempted', 512).nullable();
    table.string('repo_url', 1024).nullable();
    table.string('last_reconciled_at', 64).nullable();
    table.string('observed_at', 64).notNullable();
    table.string('hash', 64).notNullable();
    table.text('data').notNullable();
    table.index(['cluster'], 'gitops_records_cluster_idx');
    table.index(['state'], 'gitops_records_state_idx');
    table.index(['commit'], 'gitops_records_commit_idx');
    table.index(['tool'], 'gitops_records_tool_idx');
    table.index(['last_reconciled_at'], 'gitops_records_reconciled_idx');
  });

  await knex.schema.createTable('gitops_entity_bindings', table => {
    table.string('entity_ref', 512).notNullable();
    table.string('record_id', 1024).notNullable();
    table.primary(['entity_ref', 'record_id']);
    table.index(['record_id'], 'gitops_entity_bindings_record_idx');
  });

  // The catalog facts the deployments view filters by, refreshed by the collector.
  await knex.schema.createTable('gitops_entities', table => {
    table.string('entity_ref', 512).primary().notNullable();
    table.string('owner', 512).nullable();
    table.string('system', 512).nullable();
    table.index(['owner'], 'gitops_entities_owner_idx');
    table.index(['system'], 'gitops_entities_system_idx');
  });

  await knex.schema.createTable('gitops_source_health', table => {
    table.string('id', 255).primary().notNullable();
    table.string('type', 32).notNullable();
    table.string('target', 255).notNullable();
    table.string('status', 16).notNullable();
    table.text('message').nullable();
    table.string('last_success_at', 64).nullable();
    table.string('last_attempt_at', 64).nullable();
    table.text('skipped_kinds').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_source_health');
  await knex.schema.dropTable('gitops_entities');
  await knex.schema.dropTable('gitops_entity_bindings');
  await knex.schema.dropTable('gitops_records');
  await knex.schema.dropTable('gitops_observations');
};
