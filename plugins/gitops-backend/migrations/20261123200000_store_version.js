// @ts-check

/**
 * One row whose version changes in every transaction that changes records, entity bindings or
 * entities: readers (the deployments view's counts and facets) cache what they computed under the
 * version they read first, on every replica, and recompute only once it has moved.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_store_version', table => {
    table.integer('id').primary().notNullable();
    table.bigInteger('version').notNullable();
  });
  await knex('gitops_store_version').insert({ id: 1, version: 0 });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_store_version');
};
