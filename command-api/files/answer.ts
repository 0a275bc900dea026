import type { FileState } from "../../domain/index.ts";

export interface FileAnswer {
  readonly path: string;
  readonly fileId: string;
  readonly revision: number;
  readonly status: "live" | "deleted" | "moved";
}

export function fileAnswer(state: FileState): FileAnswer {
  if (state.status === "empty") throw new Error("a path just written cannot be empty");
  return { path: state.path, fileId: state.fileId, revision: state.revision, status: state.status };
}
