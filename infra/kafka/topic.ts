import type { Admin } from "kafkajs";

/**
 * Creates the notice topic when it is missing. Idempotent: an existing topic (created by another
 * process, or by an operator with other settings) is left alone.
 */
export async function ensureTopic(admin: Admin, topic: string, partitions: number): Promise<void> {
  const existing = await admin.listTopics();
  if (existing.includes(topic)) return;
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  } catch (error) {
    // Lost a creation race with another process: the topic exists, which is all we need.
    if ((error as { type?: string }).type !== "TOPIC_ALREADY_EXISTS") throw error;
  }
}
