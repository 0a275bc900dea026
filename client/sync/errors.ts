/** The server answered a download with an older version than the change being applied. */
export class StaleReadError extends Error {
  override readonly name = "StaleReadError";
  constructor(path: string, wanted: number, got: number) {
    super(`the server returned revision ${got} of ${path} while applying revision ${wanted}; will pull again`);
  }
}
