/** Types of release-dry-run.mjs, for its test. */
export declare function stageRelease(root: string, dest: string, publicDirs: readonly string[]): void;
export declare function versionCopy(root: string, dir: string): void;
