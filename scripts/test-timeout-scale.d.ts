export declare function testTimeoutScale(env?: NodeJS.ProcessEnv): number;
