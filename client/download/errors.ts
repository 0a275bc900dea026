/** A chunk's bytes did not match the manifest: never handed to the sink. */
export class ChunkVerificationError extends Error {
  override readonly name = "ChunkVerificationError";
}

/** The manifest's chunk digests do not hash to the file's content hash. */
export class ContentHashMismatchError extends Error {
  override readonly name = "ContentHashMismatchError";
}

/** The file got a new version while it was being downloaded; download it again. */
export class FileChangedError extends Error {
  override readonly name = "FileChangedError";
}
