import type { UploadRow } from "../store/schema.ts";

export type UploadChanges = Partial<Omit<UploadRow, "uploadId">>;

/**
 * Changes to the upload row that wait for the next local write instead of costing one of their
 * own. A manifest part's answer changes the row (open, its expiry, how much is declared), yet a
 * resume takes all of that from the server, so it only has to be on disk before the server can
 * know more than the row says, that is before the next part is declared. Each local write is a
 * transaction (under Node, a fake-indexeddb one and an fsync of the CLI's journal), and one per
 * answer sat between each part and the next.
 */
export class UnsavedChanges {
  private changes: UploadChanges = {};
  private empty = true;

  add(changes: UploadChanges): void {
    Object.assign(this.changes, changes);
    this.empty = false;
  }

  /** Everything waiting, for the write about to happen (which then owns it); undefined when nothing waits. */
  take(): UploadChanges | undefined {
    if (this.empty) return undefined;
    const taken = this.changes;
    this.changes = {};
    this.empty = true;
    return taken;
  }
}
