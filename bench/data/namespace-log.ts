import { createSimulator } from "../../projectors/testing/workload.ts";
import { openLogWriter } from "./log-writer.ts";

/**
 * One namespace holding `files` distinct files, each committed once through the real deciders: the
 * change feed of a large account. Only the file streams' events are written (FileVersionCommitted):
 * upload-stream events never enter the change feed, and replaying them would only lengthen setup.
 * Written as it is generated, so a million files never sit in memory as one log.
 */
export function writeNamespaceLog(file: string, files: number): { events: number; namespace: string } {
  const simulator = createSimulator({ namespaces: 1, paths: files });
  const writer = openLogWriter(file);
  const flush = () => {
    writer.write(simulator.log.filter((entry) => entry.stream.startsWith("file-")));
    simulator.log.length = 0;
  };
  for (let path = 0; path < files; path++) {
    simulator.step({ op: "upload", path, chunks: 1 + (path % 3), stale: false, abort: false });
    if (simulator.log.length >= 50_000) flush();
  }
  flush();
  const events = writer.written;
  writer.close();
  return { events, namespace: "ns0" };
}
