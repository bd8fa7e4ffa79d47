// Declarations for scripts/chart-values-schema.js (plain ESM so that it runs before anything is built).
export declare function mergedConfigSchema(schema: unknown, merged?: boolean): unknown;
export declare function valuesSchema(current: string, configSchema: unknown): string;
