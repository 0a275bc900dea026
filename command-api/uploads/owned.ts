import { DomainFailure, type UploadState } from "../../domain/index.ts";

/**
 * An upload belongs to the namespace that started it. Asked from any other namespace it does
 * not exist: the answer must not reveal that the id is in use elsewhere.
 */
export function assertOwned(state: UploadState, namespace: string): void {
  if (state.status === "none" || state.namespace !== namespace) {
    throw new DomainFailure({ code: "upload_not_found", message: "no such upload in this namespace" });
  }
}
