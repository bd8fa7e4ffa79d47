export declare function median(values: readonly number[]): number;
export declare const percentile: (sorted: readonly number[], p: number) => number;
export declare const fixed: (n: number, digits?: number) => string;
export declare const ratio: (a: number, b: number) => string;
export declare function medians<F extends string>(
  rows: ReadonlyArray<Record<F, number>>,
  fields: readonly F[],
): Record<F, number>;
export declare function table(header: readonly string[], rows: readonly string[][], left?: number): string[];
