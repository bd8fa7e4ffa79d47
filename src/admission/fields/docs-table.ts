// The classification (table.ts) as docs/security.md shows it: one Markdown table per kind, generated
// here and compared with the page by the tests (table.test.ts), so the page cannot say another thing.
import { alsoReviewsOf, type FieldRow, isMutable, othersMayChange, reviewsOf } from './classes.js';
import { kindsOf } from './coverage.js';
import { FIELD_CLASSES } from './table.js';

/** The markers around the generated part of docs/security.md. */
export const DOCS_MARKERS = Object.freeze({
  begin: '<!-- field classification: generated from src/admission/fields/table.ts; do not edit -->',
  end: '<!-- end of field classification -->',
});

const code = (s: string) => `\`${s}\``;

/** Who may set the field, in a cell: the reviews or the config keys, whichever the class names. */
function judgedBy(row: FieldRow): string {
  const also = alsoReviewsOf(row)
    .map(
      (review) => `, and ${code(review.slice(0, review.indexOf(' (')))}${review.slice(review.indexOf(' ('))}`,
    )
    .join('');
  const reviews = reviewsOf(row).map(code).join(' or ') + also;
  const config = (row.config ?? []).map(code).join(', ');
  const parts = [reviews && `RBAC: ${reviews}`, config && `config: ${config}`, row.bound].filter(Boolean);
  return parts.join('; ') || '—';
}

const cell = (s: string) => s.replaceAll('|', '\\|');

/** Whether, and by whom, an update may change the field. */
const onUpdate = (row: FieldRow) =>
  !isMutable(row)
    ? 'fixed'
    : othersMayChange(row)
      ? `submitter, or holder of \`${row.verb}\``
      : 'submitter may change';

/** The generated block, markers included: a line per row, in the table's order. */
export function fieldClassificationMarkdown(rows: readonly FieldRow[] = FIELD_CLASSES): string {
  const lines = [DOCS_MARKERS.begin, ''];
  lines.push('| field | kinds | class | setting it makes the operator… | judged by | on update |');
  lines.push('|---|---|---|---|---|---|');
  for (const row of rows)
    lines.push(
      `| ${code(row.path)} | ${kindsOf(row).join(', ')} | ${row.class} | ${cell(row.effect)} | ${cell(judgedBy(row))} | ${onUpdate(row)} |`,
    );
  lines.push('', DOCS_MARKERS.end);
  return lines.join('\n');
}

/** The page with its generated block replaced (or undefined when the page has no markers). */
export function withFieldClassification(
  page: string,
  block = fieldClassificationMarkdown(),
): string | undefined {
  const start = page.indexOf(DOCS_MARKERS.begin);
  const end = page.indexOf(DOCS_MARKERS.end);
  if (start < 0 || end < start) return undefined;
  return page.slice(0, start) + block + page.slice(end + DOCS_MARKERS.end.length);
}
