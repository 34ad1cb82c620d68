// @ts-check

/**
 * External alerts: the last snapshot of firing alerts read from each configured Prometheus or
 * Alertmanager (only those whose labels name a record), and which records each one names — the
 * index an entity's alerts are found by, through gitops_entity_bindings.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_external_alerts', table => {
    // gitops.alerts.external[].name
    table.string('endpoint', 255).notNullable();
    // Alertmanager fingerprint, or a hash of a Prometheus alert's labels.
    table.string('id', 128).notNullable();
    // prometheus | alertmanager
    table.string('origin', 16).notNullable();
    table.string('alertname', 255).notNullable();
    // critical | warning | info
    table.string('severity', 16).notNullable();
    table.text('summary').notNullable();
    table.text('description').nullable();
    // ISO time the alert became active.
    table.string('since', 64).notNullable();
    table.text('url').notNullable();
    table.text('labels').notNullable();
    // Of the row's content and its record ids: an unchanged alert is not written again.
    table.string('hash', 64).notNullable();
    table.primary(['endpoint', 'id']);
  });

  await knex.schema.createTable('gitops_external_alert_records', table => {
    table.string('endpoint', 255).notNullable();
    table.string('alert_id', 128).notNullable();
    table.string('record_id', 1024).notNullable();
    table.primary(['endpoint', 'alert_id', 'record_id']);
    table.index(['record_id'], 'gitops_external_alert_records_record_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_external_alert_records');
  await knex.schema.dropTable('gitops_external_alerts');
};
