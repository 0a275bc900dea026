import { isSha256Hex, type Sha256Hex } from "../../domain/ids.ts";

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/** Lowercase hex, the form the API and the domain use for digests. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!]!;
  return out;
}

export class HexError extends Error {
  override readonly name = "HexError";
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex))
    throw new HexError(`not a hex string: ${JSON.stringify(hex.slice(0, 80))}`);
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** Narrow a string from the wire to a digest, or throw saying what it was. */
export function asSha256Hex(value: string): Sha256Hex {
  if (!isSha256Hex(value)) throw new HexError(`not a lowercase SHA-256 hex digest: ${JSON.stringify(value.slice(0, 80))}`);
  return value;
}
