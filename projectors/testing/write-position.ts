import type { LogPosition } from "../../domain/index.ts";
import type { ReadModelWrite } from "../../infra/ports/index.ts";

/** The log position a write carries, wherever its kind keeps it. */
export const positionOfWrite = (write: ReadModelWrite): LogPosition => {
  switch (write.kind) {
    case "file.put":
      return write.file.position;
    case "change.add":
      return write.change.position;
    case "history.add":
      return write.entry.position;
    case "upload.put":
      return write.upload.position;
    default:
      return write.position;
  }
};
