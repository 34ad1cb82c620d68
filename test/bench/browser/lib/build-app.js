'use strict';
/*
 * Production build of packages/app into another folder, so the repository's packages/app/dist (which
 * the backend's app-backend plugin would start serving) is left alone. Same steps as
 * `backstage-cli package build` for a frontend package (`buildFrontend`), with the output folder
 * changed. Run with the working directory packages/app (the CLI resolves its paths from there):
 *
 *   node build-app.js <out dir> <config file>...
 */
const path = require('node:path');

async function main() {
  const [outDir, ...configPaths] = process.argv.slice(2);
  if (!outDir || !configPaths.length)
    throw new Error('usage: build-app.js <out dir> <config file>...');
  const build = path.dirname(
    require.resolve('@backstage/cli-module-build/package.json'),
  );
  const { buildBundle } = require(path.join(
    build,
    'dist/lib/bundler/bundle.cjs.js',
  ));
  const { loadCliConfig } = require(path.join(build, 'dist/lib/config.cjs.js'));
  const packageJson = require(path.resolve('package.json'));
  await buildBundle({
    targetDir: process.cwd(),
    entry: 'src/index',
    dist: path.resolve(outDir),
    statsJsonEnabled: false,
    ...(await loadCliConfig({
      args: configPaths.map(p => path.resolve(p)),
      fromPackage: packageJson.name,
    })),
  });
}

main().catch(error => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
