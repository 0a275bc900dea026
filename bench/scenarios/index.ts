import type { Scenario } from "../harness/scenario.ts";
import { catchup } from "./catchup.ts";
import { commandThroughput } from "./command-throughput.ts";
import { deltaResend } from "./delta-resend.ts";
import { getchange } from "./getchange.ts";
import { propagation } from "./propagation.ts";
import { propagationKafka } from "./propagation-kafka.ts";
import { rssPeak } from "./rss-peak.ts";
import { uploadThroughput } from "./upload-throughput.ts";

/** In run order (the report keeps it). */
export const SCENARIOS: readonly Scenario[] = [
  uploadThroughput,
  deltaResend,
  commandThroughput,
  catchup,
  getchange,
  propagation,
  propagationKafka,
  rssPeak,
];
