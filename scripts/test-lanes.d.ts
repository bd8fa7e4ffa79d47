// Declarations for scripts/test-lanes.js.
export const LANES: string[];
export const NEEDS: string[];
export interface ClassifiedFile {
  file: string;
  lane: string;
  needs: string[];
}
export function classify(file: string, text: string): ClassifiedFile;
export function classifyFiles(root: string, files: string[]): ClassifiedFile[];
export function laneOrder(
  classified: ClassifiedFile[],
  lane: string,
  durations?: Map<string, number>,
): ClassifiedFile[];
export function readyFiles(waiting: ClassifiedFile[], settled: Set<string>): ClassifiedFile[];
