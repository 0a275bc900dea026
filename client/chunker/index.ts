/**
 * Content-defined chunking (FastCDC). Every client cuts the same bytes the same way, so unchanged
 * parts of a file map to chunks the server already has, across versions and across clients.
 */
export {
  type Chunk,
  type ChunkFileOptions,
  type ChunkOptions,
  ChunkSourceError,
  chunkFile,
  chunkStream,
  cutPoints,
} from "./chunk.ts";
export { findCut } from "./cut.ts";
export { GEAR_SEED, generateGearTable } from "./gear-seed.ts";
export { GEAR } from "./gear-table.ts";
export {
  type ChunkerParams,
  ChunkerParamsError,
  FASTCDC,
  FASTCDC_RESOLVED,
  type ResolvedParams,
  resolveParams,
} from "./params.ts";
