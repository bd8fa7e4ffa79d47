// Declarations for schemas/shared/expand.js (plain JavaScript: the generator runs before any build).
export const SHARED_KEY: 'x-orchestrator-shared';
export function expandShared<T>(schema: T, options: { dir: string; closed?: boolean }): T;
