// @ts-check

/**
 * Alert states (one row per rule and subject: the current or last episode) and the history of
 * their transitions (fired / resolved).
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_alerts', table => {
    // `<rule>:<subject>`; a subject is at most a record id (1024).
    table.string('id', 1100).primary().notNullable();
    table.string('rule', 64).notNullable();
    table.string('severity', 16).notNullable();
    table.string('subject', 1024).notNullable();
    // pending | firing | resolved
    table.string('status', 16).notNullable();
    // ISO times, as in the other tables.
    table.string('since', 64).notNullable();
    table.string('fired_at', 64).nullable();
    table.string('resolved_at', 64).nullable();
    // While firing: when the condition was first seen false again (resolve timer).
    table.string('ok_since', 64).nullable();
    table.text('summary').notNullable();
    table.text('labels').notNullable();
    table.text('entity_refs').nullable();
    table.index(['status'], 'gitops_alerts_status_idx');
  });

  await knex.schema.createTable('gitops_alert_events', table => {
    table.increments('id');
    table.string('alert_id', 1100).notNullable();
    table.string('rule', 64).notNullable();
    table.string('severity', 16).notNullable();
    // fired | resolved
    table.string('transition', 16).notNullable();
    table.string('at', 64).notNullable();
    table.text('summary').notNullable();
    table.index(['alert_id'], 'gitops_alert_events_alert_idx');
    table.index(['at'], 'gitops_alert_events_at_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_alert_events');
  await knex.schema.dropTable('gitops_alerts');
};
