import { expect, it } from "vitest";
import { webCryptoSha256 } from "../platform/index.ts";
import { nodePlatform } from "./node-platform.ts";

it("hashes like WebCrypto, views into larger buffers by their own bytes only", async () => {
  const sha256 = nodePlatform().sha256!;
  const buffer = new Uint8Array(5000).map((_, i) => (i * 7919) & 0xff);
  for (const bytes of [buffer, buffer.subarray(0, 0), buffer.subarray(17, 4021)]) {
    expect(Array.from(await sha256(bytes))).toEqual(Array.from(await webCryptoSha256(bytes)));
  }
  expect((await sha256(buffer)).length).toBe(32);
});
