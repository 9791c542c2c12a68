#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is compiled from src/cli/main.ts by `npm run build`.
require('../dist/src/cli/main.js').main(process.argv.slice(2));
