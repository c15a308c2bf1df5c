#!/usr/bin/env node
// Launcher for the bundled CLI (built by `npm run build`, which `npm ci` runs through `prepare`).
require('../../../dist/apps/cli/main.js');
