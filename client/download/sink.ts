/**
 * Where verified bytes go, in order. The runtime decides how to make the result appear at once:
 * the CLI writes a temporary file and renames it in `close`; a browser may assemble a Blob. `close`
 * is called only after the whole file verified; on any failure `abort` is called instead.
 */
export interface DownloadSink {
  write(bytes: Uint8Array): Promise<void> | void;
  close(): Promise<void> | void;
  abort?(reason: unknown): Promise<void> | void;
}

/** A sink over a web WritableStream (Deno/Node file streams, browser File System Access). */
export function writableSink(stream: WritableStream<Uint8Array>): DownloadSink {
  const writer = stream.getWriter();
  return {
    write: (bytes) => writer.write(bytes),
    close: () => writer.close(),
    abort: (reason) => writer.abort(reason),
  };
}

/** Collects the file in memory (tests, small files). */
export function memorySink(): DownloadSink & { readonly parts: Uint8Array[]; bytes(): Uint8Array; closed: boolean } {
  const parts: Uint8Array[] = [];
  const sink = {
    parts,
    closed: false,
    write: (bytes: Uint8Array) => void parts.push(bytes),
    close: () => {
      sink.closed = true;
    },
    bytes: () => {
      const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
      let offset = 0;
      for (const part of parts) {
        out.set(part, offset);
        offset += part.length;
      }
      return out;
    },
  };
  return sink;
}
