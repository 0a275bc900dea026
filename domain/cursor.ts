import { isLogPosition, type LogPosition } from "./position.ts";
import { fail, ok, type Result } from "./result.ts";

/**
 * Cursors are opaque to clients but encode a global log position, so they stay valid across a
 * read-model rebuild (the rebuild replays the same log to the same positions). The version tag
 * lets the encoding change later without misreading old cursors.
 */
const TAG = "lb1:";

const toBase64Url = (text: string): string => btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const fromBase64Url = (text: string): string | null => {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    return atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    return null;
  }
};

/** `null` means "before the first event". */
export const encodeCursor = (position: LogPosition | null): string => toBase64Url(TAG + (position ?? ""));

export function decodeCursor(cursor: string): Result<LogPosition | null> {
  const text = fromBase64Url(cursor);
  if (text === null || !text.startsWith(TAG)) return fail("invalid_cursor", "malformed cursor");
  const position = text.slice(TAG.length);
  if (position === "") return ok(null);
  if (!isLogPosition(position)) return fail("invalid_cursor", "malformed cursor");
  return ok(position);
}
