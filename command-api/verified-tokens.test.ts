import { describe, expect, test } from "vitest";
import { VerifiedTokens } from "./verified-tokens.ts";

describe("verified tokens", () => {
  const at = (seconds: number) => ({ ms: seconds * 1000 });

  test("answers while the time claims hold, as jose judges them, and forgets a token that fails them", () => {
    const clock = at(1000);
    const tokens = new VerifiedTokens(10, () => clock.ms);
    tokens.set("t", { sub: "a", nbf: 1000, exp: 1010 });
    expect(tokens.get("t")).toEqual({ sub: "a", nbf: 1000, exp: 1010 });
    clock.ms = 1009_999;
    expect(tokens.get("t")).toBeDefined();
    clock.ms = 1010_000;
    expect(tokens.get("t")).toBeUndefined();
    expect(tokens.size).toBe(0);
  });

  test("a token not yet valid is not answered", () => {
    const clock = at(999);
    const tokens = new VerifiedTokens(10, () => clock.ms);
    tokens.set("t", { sub: "a", nbf: 1000 });
    expect(tokens.get("t")).toBeUndefined();
  });

  test("keeps the most recently used tokens within its capacity", () => {
    const tokens = new VerifiedTokens(2, () => 0);
    tokens.set("a", { sub: "a" });
    tokens.set("b", { sub: "b" });
    tokens.get("a");
    tokens.set("c", { sub: "c" });
    expect(tokens.get("b")).toBeUndefined();
    expect(tokens.get("a")).toEqual({ sub: "a" });
    expect(tokens.get("c")).toEqual({ sub: "c" });
  });
});
