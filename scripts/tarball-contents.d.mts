/** Types of tarball-contents.mjs, for its test. */
export declare function tarballProblems(pack: {
  files: readonly string[];
  manifest: { bin?: string | Record<string, string> };
  readFile: (path: string) => string;
}): string[];
export declare const fileReader: (dir: string) => (path: string) => string;
export declare function cjsRequireProblems(pack: {
  files: readonly string[];
  manifest: { dependencies?: Record<string, string> };
  readFile: (path: string) => string;
  isEsmOnly: (name: string) => boolean;
}): string[];
export declare function esmOnlyResolver(dir: string): (name: string) => boolean;
