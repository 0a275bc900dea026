/** S3 carries SHA-256 digests as base64 (`x-amz-checksum-sha256`); Ledgerbox uses lowercase hex. */
export const hexToBase64 = (hex: string): string => {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new RangeError(`not a lowercase hex SHA-256 digest: ${hex}`);
  return Buffer.from(hex, "hex").toString("base64");
};

/**
 * `null` for anything that is not a plain 32-byte digest, e.g. the composite "<base64>-<parts>"
 * checksum of a multipart upload, which is a digest of digests and cannot be compared to a chunk's.
 */
export const base64ToHex = (base64: string): string | null => {
  if (!/^[A-Za-z0-9+/]{43}=$/.test(base64)) return null;
  return Buffer.from(base64, "base64").toString("hex");
};
