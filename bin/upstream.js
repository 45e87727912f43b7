#!/usr/bin/env node
// The `upstream` CLI (built by `npm run build` into dist/).
require('../dist/apps/cli/src/main.js').run();
