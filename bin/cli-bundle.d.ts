/** Types of cli-bundle.js, which stays JavaScript so bin/ledgerbox.js can choose without a TypeScript loader. */
export declare const bundlePath: (repo: string) => string;
export declare function bundleIsFresh(repo: string): boolean;
