#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's require hook, so `npx meshctl` works on a fresh clone after `npm ci`.
require('tsx/cjs');
require('../layers/polyfills');
require('../cli/meshctl').main(process.argv).catch((error) => {
  console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  process.exitCode = 1;
});
