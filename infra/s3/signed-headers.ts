/**
 * The headers a presigned PUT binds, besides `host`. `content-length` is signed too, but every HTTP
 * stack sets it from the body (browsers refuse to let code set it), so it is not handed to the
 * client: a body of another length simply fails the signature.
 */
export const CLIENT_SIGNED_HEADERS = ["x-amz-checksum-sha256"] as const;
const IMPLICIT = new Set(["host", "content-length"]);

/**
 * Fails when the SDK signed a header we do not hand to the client (e.g. a default checksum
 * algorithm header added by a newer SDK): such a URL would be unusable from a browser, and
 * failing here is the place where that is found rather than in every client.
 */
export function checkSignedHeaders(url: string): void {
  const signed = new URL(url).searchParams.get("X-Amz-SignedHeaders");
  if (signed === null) throw new Error("presigned URL carries no X-Amz-SignedHeaders");
  const names = signed.split(";");
  const expected = new Set<string>([...IMPLICIT, ...CLIENT_SIGNED_HEADERS]);
  const unexpected = names.filter((name) => !expected.has(name));
  const missing = [...expected].filter((name) => !names.includes(name));
  if (unexpected.length > 0 || missing.length > 0) {
    throw new Error(
      `presigned PUT signs [${names.join(", ")}]; expected exactly [${[...expected].join(", ")}]` +
        " (check the S3 client's requestChecksumCalculation setting)",
    );
  }
}
