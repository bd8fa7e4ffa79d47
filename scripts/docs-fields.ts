// Writes the field classification (src/admission/fields/table.ts) into docs/security.md between its
// markers: `npm run docs:fields`. src/admission/fields/table.test.ts fails while the page is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { withFieldClassification } from '../src/admission/fields/index.js';

const PAGE = new URL('../docs/security.md', import.meta.url);
const page = readFileSync(PAGE, 'utf8');
const next = withFieldClassification(page);
if (next === undefined) {
  console.error('docs/security.md has no field classification markers (src/admission/fields/docs-table.ts)');
  process.exit(1);
}
if (next !== page) writeFileSync(PAGE, next);
console.log(
  next === page ? 'docs/security.md: up to date' : 'docs/security.md: field classification written',
);
