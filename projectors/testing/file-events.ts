import fc from "fast-check";
import type { FileEvent, FileId, Namespace, NormalizedPath, Sha256Hex, UploadId } from "../../domain/index.ts";

const PATHS = ["/a.txt", "/A.txt", "/docs/b.md", "/Docs/B.md", "/docs/c.md", "/ü.txt"] as NormalizedPath[];
const NAMESPACES = ["ns1", "ns2"] as Namespace[];

const path = fc.constantFrom(...PATHS);
const fileId = fc.constantFrom(..."fghij".split("").map((c) => `file-${c}` as FileId));
const hex = (n: number): Sha256Hex => n.toString(16).padStart(64, "0") as Sha256Hex;
const version = fc.record({
  size: fc.nat(1000),
  contentHash: fc.nat(20).map((n) => hex(n + 1000)),
  chunks: fc.array(fc.nat(50), { maxLength: 3 }).map((ns) => ns.map((n, index) => ({ index, size: n + 1, sha256: hex(n) }))),
});
const facts = fc.record({ fileId, path, revision: fc.integer({ min: 1, max: 50 }) });

/**
 * Any file event with any data: not a history a decider could produce, which is the point: the
 * structural properties (the feed replays to the listing, writes are idempotent) must hold for
 * every sequence, not only for well-behaved ones.
 */
export const arbitraryFileEvent: fc.Arbitrary<FileEvent> = fc.oneof(
  fc.tuple(facts, version, fc.option(path)).map(
    ([f, v, conflictOf]): FileEvent => ({
      type: "FileVersionCommitted",
      data: { ...f, ...v, uploadId: "upload-1" as UploadId, conflictOf },
    }),
  ),
  facts.map((f): FileEvent => ({ type: "FileDeleted", data: f })),
  fc.tuple(facts, version, path).map(([f, v, to]): FileEvent => ({ type: "FileMovedOut", data: { ...f, ...v, to } })),
  fc.tuple(facts, version, path).map(([f, v, from]): FileEvent => ({ type: "FileMovedIn", data: { ...f, ...v, from } })),
  fc
    .tuple(facts, version, fc.integer({ min: 1, max: 49 }))
    .map(([f, v, fromRevision]): FileEvent => ({ type: "FileRestored", data: { ...f, ...v, fromRevision } })),
);

export const arbitraryNamespace = fc.constantFrom(...NAMESPACES);

/** File events, each in a namespace, in log order. */
export const arbitraryFileLog = fc.array(fc.tuple(arbitraryFileEvent, arbitraryNamespace), { maxLength: 60 });
