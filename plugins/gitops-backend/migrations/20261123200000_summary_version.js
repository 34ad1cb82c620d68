// @ts-check

/**
 * One row whose version moves, in the same transaction, whenever what the deployments view counts
 * changes (records appearing or going, their state, sync, health, compliance or commit, entity
 * bindings, entities): every replica reads it per request and keeps totals and facets until it moves.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_summary_version', table => {
    table.integer('id').primary().notNullable();
    table.bigInteger('version').notNullable();
  });
  await knex('gitops_summary_version').insert({ id: 1, version: 0 });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_summary_version');
};
