// Declarations for scripts/chart-values-schema.js (plain ESM so that it runs before anything is built).
export declare function mergedConfigSchema(schema: unknown, shipped: unknown): unknown;
export declare function valuesSchema(current: string, configSchema: unknown, shippedConfig: unknown): string;
export declare function shareRepeated(
  schema: unknown,
  prefix: string,
): { schema: unknown; definitions: Record<string, unknown> };
