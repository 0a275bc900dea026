export { asSha256Hex, fromHex, HexError, toHex } from "./hex.ts";
export { contentHash, sha256Bytes, sha256Hex } from "./sha256.ts";
