/** The file no longer holds the bytes that were hashed: the upload cannot finish as declared. */
export class SourceChangedError extends Error {
  override readonly name = "SourceChangedError";
}

/** The upload is not in a state that can go on (aborted on the server, unknown locally…). */
export class UploadStateError extends Error {
  override readonly name = "UploadStateError";
}

/** The server kept answering chunks_missing after every missing chunk was sent again. */
export class ChunksStillMissingError extends Error {
  override readonly name = "ChunksStillMissingError";
  constructor(
    readonly uploadId: string,
    readonly missing: readonly number[],
  ) {
    super(`upload ${uploadId}: the server still reports chunk(s) ${missing.join(", ")} missing after re-sending them`);
  }
}
