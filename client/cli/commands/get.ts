import { stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { writeAtomically } from "../atomic-write.ts";
import { remotePath } from "../config.ts";
import type { CommandContext } from "../context.ts";
import { NotFoundError } from "../errors.ts";
import { formatBytes } from "../format.ts";

/**
 * `get <remote> [file]`: download one file, every chunk verified against its SHA-256 and the
 * whole against the content hash. The file appears only when complete (temp file + rename);
 * `-` writes to stdout instead.
 */
export async function get(context: CommandContext, remote: string, file: string | undefined): Promise<void> {
  const path = remotePath(remote);
  const download = await (await context.kit()).transfers.download(path, context.signal);
  if (download === null) throw new NotFoundError(`no remote file ${path}`);
  const { meta } = download;
  const name = basename(meta.path);

  if (file === "-") {
    for await (const bytes of download.bytes(context.signal)) await writeStdout(bytes);
    return;
  }
  let target = resolve(file ?? name);
  const existing = await stat(target).catch(() => null);
  if (existing?.isDirectory()) target = join(target, name);

  const bar = context.progress.track(`↓ ${meta.path}`, meta.size);
  let done = 0;
  async function* counted(): AsyncIterable<Uint8Array> {
    for await (const bytes of download!.bytes(context.signal)) {
      done += bytes.length;
      bar.update(done);
      yield bytes;
    }
  }
  await writeAtomically(target, counted());
  bar.finish();
  context.progress.stop();
  context.output.result(
    { path: meta.path, file: target, revision: meta.revision, size: meta.size, contentHash: meta.contentHash },
    `${target}  ${formatBytes(meta.size)}  (revision ${meta.revision})`,
  );
}

const writeStdout = (bytes: Uint8Array): Promise<void> =>
  new Promise((resolveWrite, reject) => process.stdout.write(bytes, (error) => (error ? reject(error) : resolveWrite())));
