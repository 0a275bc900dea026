import type { StoredObjectNotice } from "../ports/index.ts";

/** A body that is not an S3/MinIO bucket notification; the intake answers 400 with the message. */
export class NotificationError extends Error {
  override readonly name = "NotificationError";
}

export interface NotificationOptions {
  /** Records about other buckets are skipped (one webhook may serve several buckets). */
  readonly bucket?: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Event keys are URL-encoded the way HTML forms are: `%XX` escapes and `+` for a space (AWS and
 * MinIO both), so a literal "+" arrives as "%2B".
 */
function decodeKey(raw: string, where: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    throw new NotificationError(`${where}: s3.object.key is not valid URL encoding: ${JSON.stringify(raw.slice(0, 200))}`);
  }
}

/**
 * The created objects an S3 or MinIO bucket notification reports. Other events (removals, AWS's
 * s3:TestEvent) yield nothing; anything not shaped like a notification is rejected with a message
 * that says what is wrong, so a misconfigured webhook is found from its first delivery.
 */
export function parseBucketNotification(body: unknown, options: NotificationOptions = {}): StoredObjectNotice[] {
  let parsed = body;
  if (typeof body === "string" || body instanceof Uint8Array) {
    const text = typeof body === "string" ? body : Buffer.from(body).toString("utf8");
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new NotificationError("notification body is not JSON");
    }
  }
  if (!isObject(parsed)) throw new NotificationError("notification body must be a JSON object");
  // AWS sends this once when a notification target is configured; it reports no object.
  if (parsed.Event === "s3:TestEvent") return [];
  const records = parsed.Records;
  if (!Array.isArray(records)) throw new NotificationError('notification body has no "Records" array');

  const notices: StoredObjectNotice[] = [];
  records.forEach((record: unknown, i) => {
    const where = `Records[${i}]`;
    if (!isObject(record)) throw new NotificationError(`${where} is not an object`);
    const { eventName, s3 } = record;
    if (typeof eventName !== "string") throw new NotificationError(`${where} has no eventName`);
    if (!isObject(s3) || !isObject(s3.object)) throw new NotificationError(`${where} has no s3.object`);
    // MinIO prefixes event names with "s3:", AWS does not.
    if (!eventName.replace(/^s3:/, "").startsWith("ObjectCreated:")) return;
    if (options.bucket !== undefined) {
      const bucket = isObject(s3.bucket) ? s3.bucket.name : undefined;
      if (typeof bucket !== "string") throw new NotificationError(`${where} has no s3.bucket.name`);
      if (bucket !== options.bucket) return;
    }
    const { key, size } = s3.object;
    if (typeof key !== "string" || key === "") throw new NotificationError(`${where} has no s3.object.key`);
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
      throw new NotificationError(`${where} (${eventName}) has no valid s3.object.size`);
    }
    notices.push({ key: decodeKey(key, where), size });
  });
  return notices;
}
