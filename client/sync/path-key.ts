import { prefixKey } from "../../domain/index.ts";

/**
 * Paths are case-insensitive in a namespace (domain/path.ts), so the sync engine keys everything
 * by the same case-folded form the server uses; the display path keeps its casing.
 */
export const keyOf = (path: string): string => prefixKey(path);
