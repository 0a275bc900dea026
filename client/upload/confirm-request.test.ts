import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors.ts";
import { batchRouteMissing } from "./confirm-request.ts";

const answer = (status: number, code: string) => new ApiError(status, code, `${status} ${code}`, { error: code });

describe("batchRouteMissing", () => {
  it("reads an unknown route, however the server or a proxy says it, as the batch route missing", () => {
    expect(batchRouteMissing(answer(404, "not_found"))).toBe(true);
    expect(batchRouteMissing(answer(404, "http_404"))).toBe(true);
    expect(batchRouteMissing(answer(405, "http_405"))).toBe(true);
    expect(batchRouteMissing(answer(501, "http_501"))).toBe(true);
  });

  it("leaves every answer about the upload or its chunks to the caller", () => {
    expect(batchRouteMissing(answer(404, "upload_not_found"))).toBe(false);
    expect(batchRouteMissing(answer(409, "chunk_not_found"))).toBe(false);
    expect(batchRouteMissing(answer(422, "chunk_mismatch"))).toBe(false);
    expect(batchRouteMissing(answer(400, "invalid_request"))).toBe(false);
    expect(batchRouteMissing(answer(503, "unavailable"))).toBe(false);
    expect(batchRouteMissing(new Error("reset"))).toBe(false);
  });
});
