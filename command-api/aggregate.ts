import {
  decideFile,
  decideUpload,
  evolveFile,
  evolveUpload,
  type FileCommand,
  type FileEvent,
  type FileState,
  initialFileState,
  initialUploadState,
  type Result,
  type UploadCommand,
  type UploadEvent,
  type UploadState,
} from "../domain/index.ts";

/** A decider as the command handler needs it, plus how much of its stream a command must read. */
export interface Aggregate<S, C, E extends { type: string; data: unknown }> {
  readonly name: string;
  readonly initialState: S;
  readonly evolve: (state: S, event: E) => S;
  readonly decide: (state: S, command: C, now: string) => Result<E[]>;
  /**
   * "last": the last event alone holds the whole state (file streams), so a command reads one
   * event however long the stream grows. "all": fold the stream (upload streams, bounded by the
   * chunk limit), with the handler's cache making repeat reads incremental.
   */
  readonly read: "last" | "all";
}

export const uploadAggregate: Aggregate<UploadState, UploadCommand, UploadEvent> = {
  name: "upload",
  initialState: initialUploadState,
  evolve: evolveUpload,
  decide: decideUpload,
  read: "all",
};

export const fileAggregate: Aggregate<FileState, FileCommand, FileEvent> = {
  name: "file",
  initialState: initialFileState,
  evolve: evolveFile,
  decide: (state, command) => decideFile(state, command),
  read: "last",
};
