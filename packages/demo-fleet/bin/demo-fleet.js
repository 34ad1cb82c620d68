#!/usr/bin/env node
/*
 * Starts the demo fleet straight from the TypeScript sources, using the same
 * SWC transform `backstage-cli package start` uses for backends.
 *
 *   node packages/demo-fleet/bin/demo-fleet.js --clusters 50 --objects-per-cluster 200
 *   node packages/demo-fleet/bin/demo-fleet.js --with -- backstage-cli repo start
 */
'use strict';

require('@backstage/cli/config/nodeTransform.cjs');

require('../src/cli')
  .main(process.argv.slice(2))
  .catch(error => {
    process.stderr.write(
      `[demo-fleet] ${error && error.stack ? error.stack : error}\n`,
    );
    process.exit(1);
  });
