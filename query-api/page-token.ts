import { DomainFailure } from "../domain/index.ts";

/**
 * Paging tokens for listings and history: opaque to clients, a plain key to us. (Change-feed
 * cursors are different: they encode log positions, see domain/cursor.ts.)
 */
export const encodePageToken = (key: string): string => Buffer.from(`pg:${key}`, "utf8").toString("base64url");

export function decodePageToken(token: string | undefined): string | null {
  if (token === undefined || token === "") return null;
  const text = Buffer.from(token, "base64url").toString("utf8");
  if (!text.startsWith("pg:")) throw new DomainFailure({ code: "invalid_cursor", message: "malformed page cursor" });
  return text.slice(3);
}
