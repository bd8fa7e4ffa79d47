// Team budgets over sets of namespaces: what their runs spent in a window, and the refusal of new
// attempts once a budget is spent (docs/economics.md, docs/design.md §5.3). A budget's window and the
// namespaces it covers are decided in src/api, which the gateway shares.
// - budget-reports.ts: each budget's standing and daily spend, as the REST API serves it.
// - budgets.ts: whether a namespace may start an attempt, and the message of one that may not.
// - spend-index.ts: what each namespace spent: from the model gateway's ledger records when it is on,
//   else from the run caches' status.attemptUsage.
export { budgetReports } from './budget-reports.js';
export { type BudgetRefusal, budgetMessage, budgetRefusal, standing } from './budgets.js';
export { ledgerSpends, runSpends, SpendIndex } from './spend-index.js';
