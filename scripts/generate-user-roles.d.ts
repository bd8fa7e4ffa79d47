// Declarations for scripts/generate-user-roles.js, for the TypeScript tests that call it. Keep in step
// with the JSDoc there.
import type { SourceSchema } from './generate.js';

export const USER_ROLES_PATH: string;
export const CONTROL_VERBS: string[];
export const SHIPPED_CONFIG_PATH: string;
export function unrestrictedProfiles(configText: string): string[];
export function userRoleName(kind: string, suffix: string): string;
export function userRoles(
  sources: SourceSchema[],
  group: string,
  header: string,
  shippedConfig: string,
): string;
