// Declarations for scripts/generate-argo-apps.js (plain ESM so that it runs before anything is built).
export declare const ARGO_APPS_PATH: string;
export declare const ARGO_EVENTS_APPS_PATH: string;
export declare const ARGO_APPS_CONFIGMAP: string;
export declare const ARGO_EVENTS_APPS_CONFIGMAP: string;
export declare const ARGO_APP_ROLES: Readonly<Record<string, string>>;
export declare const OPTIONAL_ARGO_APPS: readonly string[];
export declare function argoApps(config: {
  agents?: Record<string, { role?: string; githubApp?: string }>;
}): Record<string, string>;
export declare function playGatesIgnoredSenders(apps: Record<string, string>): string;
export declare function argoAppsConfigMap(configText: string, header: string): string;
export declare function argoEventsAppsConfigMap(configText: string, header: string): string;
