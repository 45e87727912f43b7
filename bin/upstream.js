#!/usr/bin/env node
// Runs the built CLI (npm run build compiles it to dist/).
require('../dist/apps/cli/src/main.js');
