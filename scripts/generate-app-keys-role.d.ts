// Declarations for scripts/generate-app-keys-role.js (plain ESM so that it runs before anything is built).
export declare const APP_KEYS_ROLE_PATH: string;
export declare function appKeySecrets(configText: string): string[];
export declare function appKeysRole(configText: string, header: string): string;
