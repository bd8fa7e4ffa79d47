// The single executable's step into the package it unpacked (bin/sea-main.cjs): its entry is
// CommonJS and cannot import an ES module itself, a module loaded from disk can.
'use strict';
const { pathToFileURL } = require('node:url');

import(pathToFileURL(require('node:path').join(__dirname, 'orchestrator.js')).href).catch((err) => {
  process.stderr.write(`orchestrator: ${err.stack ?? err}\n`);
  process.exit(1);
});
