export interface DocPathFinding {
  file: string;
  line: number;
  path: string;
}
export declare function repositoryFiles(root: string): string[];
export declare function codeComments(source: string): { line: number; text: string }[];
export declare function markdownAnchors(text: string): Set<string>;
export declare function checkDocPaths(root: string): DocPathFinding[];
