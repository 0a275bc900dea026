import { describe, expect, it } from "vitest";
import { logPosition } from "../../domain/position.ts";
import { decodeNotice, encodeNotice } from "./notice-codec.ts";

describe("Kafka notice codec", () => {
  const notice = { namespace: "alice", position: logPosition(42n, 43n) };

  it("keys by namespace and round-trips", () => {
    const { key, value } = encodeNotice(notice);
    expect(key).toBe("alice");
    expect(decodeNotice(value)).toEqual(notice);
    expect(decodeNotice(Buffer.from(value))).toEqual(notice);
  });

  it("drops records that are not notices instead of failing the consumer", () => {
    for (const value of [null, "", "not json", "[]", "null", '{"namespace":"a"}', '{"namespace":"","position":"x"}']) {
      expect(decodeNotice(value)).toBeNull();
    }
    expect(decodeNotice(JSON.stringify({ namespace: "a", position: "00ff" }))).toBeNull();
  });
});
