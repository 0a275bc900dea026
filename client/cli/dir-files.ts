import { watch } from "node:fs";
import { lstat, mkdir, readdir, rename, rmdir, stat, unlink } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { Observable } from "rxjs";
import { normalizePath } from "../../domain/index.ts";
import type { FileSource } from "../platform/index.ts";
import type { LocalFileInfo, LocalFiles } from "../sync/index.ts";
import { LocalFileError } from "../sync/index.ts";
import { writeAtomically } from "./atomic-write.ts";
import { isNodeError } from "./errors.ts";
import { fileSource } from "./node-source.ts";

/** The folder inside a synced directory that holds the client's own state; never synced. */
export const STATE_DIR = ".ledgerbox";

/**
 * The LocalFiles port over a directory: server path "/a/b.txt" is `<root>/a/b.txt`. Writes are
 * atomic (temp file in the state folder + rename), so a crash never leaves half a file where the
 * user looks. Names the server would refuse (see domain/path.ts) are skipped with a warning.
 */
export class DirectoryFiles implements LocalFiles {
  private readonly warned = new Set<string>();

  constructor(
    readonly root: string,
    private readonly warn: (message: string) => void = () => {},
  ) {}

  localPath(path: string): string {
    return join(this.root, ...path.split("/").filter((segment) => segment !== ""));
  }

  async list(): Promise<LocalFileInfo[]> {
    const found: LocalFileInfo[] = [];
    const walk = async (dir: string): Promise<void> => {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (error) {
        if (isNodeError(error, "ENOENT")) return;
        throw error;
      }
      for (const name of names.sort()) {
        const full = join(dir, name);
        if (dir === this.root && name === STATE_DIR) continue;
        if (name.startsWith(".ledgerbox-tmp-")) continue;
        const info = await lstat(full).catch(() => null);
        if (info === null) continue;
        if (info.isDirectory()) await walk(full);
        else if (info.isFile()) {
          const path = this.serverPath(full);
          if (path !== null) found.push({ path, size: info.size, modifiedMs: info.mtimeMs });
        }
      }
    };
    await walk(this.root);
    return found;
  }

  async stat(path: string): Promise<LocalFileInfo | null> {
    try {
      const info = await stat(this.localPath(path));
      return info.isFile() ? { path, size: info.size, modifiedMs: info.mtimeMs } : null;
    } catch (error) {
      if (isNodeError(error, "ENOENT") || isNodeError(error, "ENOTDIR")) return null;
      throw error;
    }
  }

  open(path: string): Promise<FileSource> {
    return fileSource(this.localPath(path));
  }

  async write(path: string, bytes: AsyncIterable<Uint8Array>): Promise<LocalFileInfo> {
    await writeAtomically(this.localPath(path), bytes, join(this.root, STATE_DIR, "tmp"));
    const info = await this.stat(path);
    if (info === null) throw new LocalFileError(`${path} vanished right after it was written`);
    return info;
  }

  async rename(from: string, to: string): Promise<void> {
    if ((await lstat(this.localPath(to)).catch(() => null)) !== null) {
      throw new LocalFileError(`will not move ${from} over the existing ${to}`);
    }
    await mkdir(dirname(this.localPath(to)), { recursive: true });
    await rename(this.localPath(from), this.localPath(to));
    await this.pruneEmptyFolders(from);
  }

  async remove(path: string): Promise<void> {
    try {
      await unlink(this.localPath(path));
    } catch (error) {
      if (!isNodeError(error, "ENOENT")) throw error;
    }
    await this.pruneEmptyFolders(path);
  }

  /** Watcher events for anything outside the state folder (recursive where the platform can). */
  changes(): Observable<string> {
    return new Observable<string>((subscriber) => {
      let watcher: ReturnType<typeof watch>;
      try {
        watcher = watch(this.root, { recursive: true }, (_event, name) => {
          const file = name ? String(name) : "";
          if (file === STATE_DIR || file.startsWith(`${STATE_DIR}${sep}`) || file.includes(".ledgerbox-tmp-")) return;
          subscriber.next(file);
        });
      } catch (error) {
        // No recursive watching here: the periodic rescan still finds every change.
        this.warn(`cannot watch ${this.root} (${error instanceof Error ? error.message : String(error)}); relying on rescans`);
        return;
      }
      watcher.on("error", (error) => this.warn(`watcher stopped: ${error.message}; relying on rescans`));
      return () => watcher.close();
    });
  }

  /** A server path for a file under the root, or null (with one warning) if the server would refuse it. */
  private serverPath(full: string): string | null {
    const path = `/${relative(this.root, full).split(sep).join("/")}`;
    const valid = normalizePath(path);
    if (valid.ok && valid.value === path) return path;
    if (!this.warned.has(path)) {
      this.warned.add(path);
      this.warn(`skipping ${full}: ${valid.ok ? "its name is not in Unicode NFC" : valid.error.message}`);
    }
    return null;
  }

  /** Folders emptied by a delete or move go too, as the remote side has no folders of its own. */
  private async pruneEmptyFolders(path: string): Promise<void> {
    let dir = dirname(this.localPath(path));
    while (dir.startsWith(this.root) && dir !== this.root) {
      try {
        await rmdir(dir);
      } catch {
        return;
      }
      dir = dirname(dir);
    }
  }
}
