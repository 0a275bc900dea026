/**
 * Where the journal of a non-browser store lives. The store calls these synchronously, at the
 * moment a transaction commits and before the caller hears of it, so a transaction the caller saw
 * succeed is in the log. Implementations: a file (the CLI, node:fs or Deno APIs), memory (tests).
 */
export interface DurableLog {
  /** Everything in the log: the last snapshot plus records appended after it; "" when new. */
  read(): string;
  /** Append one record (a line ending in "\n"). Durable when it returns (fsync) for crash safety. */
  append(record: string): void;
  /** Replace the whole log at once (write a temporary file, fsync, rename), or leave it untouched. */
  replace(content: string): void;
}

/** A log in memory; `content` is what a file would hold, so tests can "restart" from it or cut it. */
export class MemoryLog implements DurableLog {
  constructor(public content = "") {}
  read(): string {
    return this.content;
  }
  append(record: string): void {
    this.content += record;
  }
  replace(content: string): void {
    this.content = content;
  }
}
