export declare const SMOKE: boolean;
export declare const sized: <T>(full: T, tiny: T) => T;
