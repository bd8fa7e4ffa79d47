// What client-node's config.js takes from its generated index (`createConfiguration` and
// `ServerConfiguration`, for KubeConfig.makeApiClient), from the modules that define them, without the
// index's thousand API and model modules. slim-hook.ts points config.js's import here. Should a
// client-node release import more from the index, config.js fails to link naming the missing export
// (test/config/client-node-slim.test.ts loads it the way the manager does).
export { createConfiguration } from '@kubernetes/client-node/dist/gen/configuration.js';
export { ServerConfiguration } from '@kubernetes/client-node/dist/gen/servers.js';
