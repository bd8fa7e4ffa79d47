export declare function entrypointNodeFlags(dockerfile: string): string[];
export declare function managerNodeFlags(): string[];
