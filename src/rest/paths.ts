// The REST API's routes (koa-router patterns), in one place for the router and the OpenAPI document.
// The run routes mirror the apiserver's (`namespaces/{ns}/{plural}/{name}`) under /api/v1, so a client
// of one finds its way in the other.
export const ROUTES = Object.freeze({
  pmTasks: '/api/v1/pm/tasks',
  pmDocs: '/api/v1/pm/docs/generate',
  collection: '/api/v1/namespaces/:namespace/:plural',
  allNamespaces: '/api/v1/:plural',
  item: '/api/v1/namespaces/:namespace/:plural/:name',
  retry: '/api/v1/namespaces/:namespace/:plural/:name/retry',
  cancel: '/api/v1/namespaces/:namespace/:plural/:name/cancel',
  log: '/api/v1/namespaces/:namespace/:plural/:name/log',
  events: '/api/v1/namespaces/:namespace/:plural/:name/events',
  whoami: '/api/v1/whoami',
  budgets: '/api/v1/budgets',
  namespaceBudgets: '/api/v1/namespaces/:namespace/budgets',
  console: '/console',
  consoleFile: '/console/:file',
  health: '/health',
  healthz: '/healthz',
  openapi: '/openapi.json',
});
