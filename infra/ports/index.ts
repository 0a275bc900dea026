export * from "./blob-store.ts";
export * from "./bus.ts";
export * from "./event-store.ts";
export * from "./http.ts";
export * from "./projections.ts";
export * from "./read-store.ts";
