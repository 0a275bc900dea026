export { createKafkaBus, DEFAULT_TOPIC, type KafkaBusConfig } from "./bus.ts";
export { decodeNotice, encodeNotice } from "./notice-codec.ts";
