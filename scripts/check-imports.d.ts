export declare const LAYERS: string[][];
export declare function upwardImports(graph: Record<string, string[]>): string[];
