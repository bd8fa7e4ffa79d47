export declare const PEER_BINARIES: Readonly<{ manager: 'manager'; webhook: 'webhook-server' }>;
export declare function parseBenchArgs<N extends string>(
  argv: readonly string[],
  names: readonly N[],
): { values: Record<N, number | undefined>; peerBin: string | undefined };
export declare function peerBinary(dir: string, file: string): string;
