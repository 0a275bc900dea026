/** Downloads by manifest: presigned chunk GETs in parallel, each chunk and the whole file verified, bytes in order. */
export {
  createDownloader,
  type DownloadCounters,
  type Downloader,
  type DownloaderOptions,
  type DownloadRequest,
} from "./download.ts";
export { ChunkVerificationError, ContentHashMismatchError, FileChangedError } from "./errors.ts";
export { type DownloadSink, memorySink, writableSink } from "./sink.ts";
