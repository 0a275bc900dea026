import { ID_RANDOM_BYTES, timeOrderedId } from "../../domain/time-ordered-id.ts";

/** Randomness as a port: jitter and ids are deterministic in tests. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** An opaque id matching the server's id pattern `[A-Za-z0-9_-]{8,64}` (here 21 characters, time-ordered). */
  id(): string;
}

const toBase64Url = (bytes: Uint8Array): string => {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

/** WebCrypto randomness: ids must not collide across clients, since the server keys uploads by them. */
export const cryptoRandom: Random = {
  next: () => {
    const words = crypto.getRandomValues(new Uint32Array(1));
    return words[0]! / 2 ** 32;
  },
  // Upload ids among them: time-ordered, so the server's indexes by upload id grow at their end.
  id: () => timeOrderedId(Date.now(), crypto.getRandomValues(new Uint8Array(ID_RANDOM_BYTES))),
};

/** A seeded generator (mulberry32) for tests that need repeatable jitter and ids. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return {
    next,
    id: () => {
      const bytes = new Uint8Array(16);
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(next() * 256);
      return toBase64Url(bytes);
    },
  };
}
