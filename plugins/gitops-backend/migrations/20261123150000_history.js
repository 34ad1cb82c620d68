// @ts-check

/**
 * History: one event per change of an object's sync, health, compliance, state or applied revision
 * (and when it appears or is removed), and which entities each object was ever bound to, so that
 * the history of an object outlives its removal and rebinding.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_record_events', table => {
    table.bigIncrements('id');
    table.string('record_id', 1024).notNullable();
    table.string('tool', 32).notNullable();
    table.string('cluster', 255).notNullable();
    table.string('namespace', 255).notNullable();
    table.string('kind', 64).notNullable();
    table.string('name', 255).notNullable();
    // appeared | deployed | transition | removed
    table.string('event', 16).notNullable();
    // ISO time the change was observed.
    table.string('at', 64).notNullable();
    // Values after the change (for `removed`: the last values seen) …
    table.string('state', 32).notNullable();
    table.string('sync', 32).notNullable();
    table.string('health', 32).notNullable();
    table.string('compliance', 32).notNullable();
    table.string('revision', 512).nullable();
    table.string('commit', 128).nullable();
    table.string('attempted', 512).nullable();
    table.text('message').nullable();
    // … and before it (null for `appeared`).
    table.string('prev_state', 32).nullable();
    table.string('prev_sync', 32).nullable();
    table.string('prev_health', 32).nullable();
    table.string('prev_compliance', 32).nullable();
    table.string('prev_revision', 512).nullable();
    table.string('prev_commit', 128).nullable();
    table.index(['record_id', 'id'], 'gitops_record_events_record_idx');
    table.index(['at'], 'gitops_record_events_at_idx');
  });

  // Insert-only: bindings are replaced when records change or vanish; history keeps who they were
  // bound to. Rows whose object has neither a record nor events left are deleted with retention.
  await knex.schema.createTable('gitops_history_bindings', table => {
    table.string('entity_ref', 512).notNullable();
    table.string('record_id', 1024).notNullable();
    table.primary(['entity_ref', 'record_id']);
    table.index(['record_id'], 'gitops_history_bindings_record_idx');
  });
  await knex('gitops_history_bindings').insert(
    knex('gitops_entity_bindings').select('entity_ref', 'record_id'),
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_history_bindings');
  await knex.schema.dropTable('gitops_record_events');
};
