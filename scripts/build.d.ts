export declare const root: string;
export declare function buildDist(): boolean;
export declare function ensureDist(): boolean;
