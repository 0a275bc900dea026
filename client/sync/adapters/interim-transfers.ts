import { ApiError } from "../../api/errors.ts";
import type { LedgerboxApi } from "../../api/index.ts";
import { getPresigned, putPresigned } from "../../api/presigned.ts";
import { chunkFile } from "../../chunker/index.ts";
import { contentHash, sha256Hex } from "../../hash/index.ts";
import type { Fetch, FileSource } from "../../platform/index.ts";
import type { RemoteFile, Transfers } from "../ports.ts";

/**
 * A minimal uploader and downloader over the API client, so the sync engine and the CLI work
 * while client/upload (resumable, with backoff) and client/download are being built; the entry
 * files switch to those as soon as they land. It is still safe to rerun: the server reports
 * chunks it already holds as `present`, so an interrupted upload only sends what is missing.
 */
export function interimTransfers(api: LedgerboxApi, fetch: Fetch): Transfers {
  return {
    async contentHash(source, signal) {
      const chunks = [];
      for await (const chunk of chunkFile(source, signal ? { signal } : {}))
        chunks.push({ sha256: await sha256Hex(chunk.bytes) });
      return contentHash(chunks);
    },

    async upload(path, source, baseRevision, options = {}) {
      const { signal, onProgress, onPlan } = options;
      const chunks: { index: number; offset: number; size: number; sha256: string }[] = [];
      for await (const chunk of chunkFile(source, signal ? { signal } : {})) {
        chunks.push({ index: chunk.index, offset: chunk.offset, size: chunk.size, sha256: await sha256Hex(chunk.bytes) });
      }
      const ticket = await api.createUpload(
        {
          path,
          size: source.size,
          chunks: chunks.map(({ index, size, sha256 }) => ({ index, size, sha256 })),
          baseRevision,
          contentHash: await contentHash(chunks),
        },
        signal,
      );
      const missing = ticket.chunks.filter((instruction) => instruction.status === "missing").length;
      onPlan?.({ total: ticket.chunks.length, present: ticket.chunks.length - missing, missing });
      let done = 0;
      for (const instruction of ticket.chunks) {
        const chunk = chunks[instruction.index]!;
        if (instruction.status === "missing" && instruction.upload) {
          const bytes = await readChunk(source, chunk.offset, chunk.size);
          if ((await sha256Hex(bytes)) !== chunk.sha256) throw new SourceChangedError(path);
          await putPresigned(fetch, instruction.upload, bytes, `PUT chunk ${chunk.index} of ${path}`, signal);
          await api.confirmChunk(ticket.uploadId, chunk.index, signal);
        }
        done += chunk.size;
        onProgress?.(done, source.size);
      }
      return api.completeUpload(ticket.uploadId, signal);
    },

    async download(path, signal) {
      let meta: Awaited<ReturnType<LedgerboxApi["fileMeta"]>>;
      try {
        meta = await api.fileMeta(path, signal);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
      return {
        meta,
        async *bytes(innerSignal) {
          const digests: { sha256: string }[] = [];
          for (const chunk of meta.chunks) {
            const bytes = await getPresigned(fetch, chunk.url, `GET chunk ${chunk.index} of ${path}`, innerSignal ?? signal);
            const sha256 = await sha256Hex(bytes);
            if (bytes.length !== chunk.size || sha256 !== chunk.sha256) throw new VerificationError(path, chunk.index);
            digests.push({ sha256 });
            yield bytes;
          }
          if ((await contentHash(digests)) !== meta.contentHash) throw new VerificationError(path, null);
        },
      } satisfies RemoteFile;
    },
  };
}

async function readChunk(source: FileSource, offset: number, size: number): Promise<Uint8Array> {
  const bytes = await source.slice(offset, offset + size);
  return bytes.length === size ? bytes : new Uint8Array(0);
}

/** Downloaded bytes did not match the manifest: nothing is written. */
export class VerificationError extends Error {
  override readonly name = "VerificationError";
  constructor(path: string, index: number | null) {
    super(
      index === null
        ? `the downloaded chunks of ${path} do not add up to its content hash`
        : `chunk ${index} of ${path} does not match its size and SHA-256`,
    );
  }
}

/** The local file changed while it was being uploaded; the next pass uploads it as it is then. */
export class SourceChangedError extends Error {
  override readonly name = "SourceChangedError";
  constructor(path: string) {
    super(`${path} changed while it was being uploaded`);
  }
}
