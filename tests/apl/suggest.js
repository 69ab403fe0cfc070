#!/usr/bin/env node
/*
 * Runs Amazon's apl-suggester over APL documents.
 * stdin: {"documents": {"name": document, ...}}; stdout: {"name": [{path, errorMessage, level}], ...}
 */
'use strict';

const {StaticAplTemplateValidator} = require('apl-suggester');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', async () => {
  try {
    const {documents} = JSON.parse(input);
    const validator = new StaticAplTemplateValidator();
    const results = {};
    for (const [name, document] of Object.entries(documents)) {
      results[name] = await validator.validate(document);
    }
    process.stdout.write(`${JSON.stringify(results)}\n`);
  } catch (error) {
    process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
    process.exit(1);
  }
});
