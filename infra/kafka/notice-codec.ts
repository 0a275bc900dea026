import { isLogPosition } from "../../domain/position.ts";
import type { ChangeNotice } from "../ports/index.ts";

/** Wire format: JSON `{ namespace, position }`, keyed by namespace so a namespace's notices stay in one partition, in order. */
export const encodeNotice = (notice: ChangeNotice): { key: string; value: string } => ({
  key: notice.namespace,
  value: JSON.stringify({ namespace: notice.namespace, position: notice.position }),
});

/** `null` for anything that is not a notice (another producer on the topic, a corrupt record). */
export function decodeNotice(value: Buffer | string | null): ChangeNotice | null {
  if (value === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === "string" ? value : value.toString("utf8"));
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null) return null;
  const { namespace, position } = parsed as { namespace?: unknown; position?: unknown };
  if (typeof namespace !== "string" || namespace === "" || typeof position !== "string" || !isLogPosition(position)) return null;
  return { namespace, position };
}
