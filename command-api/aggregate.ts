import {
  decideFile,
  decideUpload,
  evolveFile,
  type FileCommand,
  type FileEvent,
  type FileState,
  foldUpload,
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
  /** The state after `events`, in order (a domain's evolve, folded; uploads fold without copying per event). */
  readonly fold: (state: S, events: readonly E[]) => S;
  readonly decide: (state: S, command: C, now: string) => Result<E[]>;
  /**
   * "last": the last event alone holds the whole state (file streams), so a command reads one
   * event however long the stream grows. "all": fold the stream (upload streams, bounded by the
   * chunk limit), with the handler's cache making repeat reads incremental.
   */
  readonly read: "last" | "all";
}

/** `fold` for a domain whose evolve is cheap enough to apply one event at a time. */
export const foldEach =
  <S, E>(evolve: (state: S, event: E) => S) =>
  (state: S, events: readonly E[]): S =>
    events.reduce(evolve, state);

export const uploadAggregate: Aggregate<UploadState, UploadCommand, UploadEvent> = {
  name: "upload",
  initialState: initialUploadState,
  fold: foldUpload,
  decide: decideUpload,
  read: "all",
};

export const fileAggregate: Aggregate<FileState, FileCommand, FileEvent> = {
  name: "file",
  initialState: initialFileState,
  fold: foldEach(evolveFile),
  decide: (state, command) => decideFile(state, command),
  read: "last",
};
