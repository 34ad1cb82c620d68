// @ts-check

/**
 * An entity page reads the alerts of its objects by subject (record id or source target).
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('gitops_alerts', table => {
    table.index(['subject'], 'gitops_alerts_subject_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('gitops_alerts', table => {
    table.dropIndex(['subject'], 'gitops_alerts_subject_idx');
  });
};
