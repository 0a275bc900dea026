export { abortReason, type Clock, isAbortError, systemClock } from "./clock.ts";
export { type Sha256, webCryptoSha256 } from "./digest.ts";
export type { Exchange, ExchangeRequest } from "./exchange.ts";
export { blobSource, bytesSource, type FileSource } from "./file-source.ts";
export { type Fetch, globalFetch, PlatformError } from "./http.ts";
export { fetchPutBytes, type PutAnswer, type PutBytes, type PutBytesRequest, putBytesOf } from "./put-bytes.ts";
export { cryptoRandom, type Random, seededRandom } from "./random.ts";

import { type Clock, systemClock } from "./clock.ts";
import type { Sha256 } from "./digest.ts";
import type { Exchange } from "./exchange.ts";
import { type Fetch, globalFetch } from "./http.ts";
import type { PutBytes } from "./put-bytes.ts";
import { cryptoRandom, type Random } from "./random.ts";

/** The ports the client library needs from its runtime; entry files build one and pass it down. */
export interface Platform {
  readonly fetch: Fetch;
  readonly clock: Clock;
  readonly random: Random;
  /** Hashes chunks while uploading; WebCrypto when absent. */
  readonly sha256?: Sha256;
  /** Sends chunk bytes to storage; `fetch` when absent. */
  readonly putBytes?: PutBytes;
  /** Sends API calls whose answers are read whole; `fetch` when absent. */
  readonly exchange?: Exchange;
}

/** Defaults from web APIs every supported runtime has (browsers, Deno, Node 20+). */
export const defaultPlatform = (): Platform => ({ fetch: globalFetch(), clock: systemClock, random: cryptoRandom });
