export declare const LAYERS_DOC: string;
export declare function parseLayers(markdown: string): string[][];
export declare function readLayers(root: string): string[][];
export declare function missingFolders(layers: string[][], folders: string[]): string[];
export declare function upwardImports(graph: Record<string, string[]>, layers: string[][]): string[];
export declare function backDoorImports(graph: Record<string, string[]>): string[];
