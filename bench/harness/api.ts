/** The few API calls the harness makes itself (setup, not measurement), with errors that say what failed. */
export async function callApi<T>(
  baseUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text.slice(0, 500)}`);
  return (text === "" ? null : JSON.parse(text)) as T;
}

export interface PresignedPut {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
}

export interface Ticket {
  readonly uploadId: string;
  readonly chunks: readonly { index: number; status: string; upload?: PresignedPut }[];
}

/** Waits until the read models have caught up with the log (admin route). */
export async function waitForProjections(baseUrl: string, token: string, timeoutMs = 30 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await callApi<{ state: string; lag: number | null; lastError?: string | null }>(
      baseUrl,
      token,
      "GET",
      "/v1/admin/projections",
    );
    if (status.lag === 0 && status.state === "live") return;
    if (status.state === "retrying") throw new Error(`projector is retrying: ${status.lastError ?? "unknown error"}`);
    if (Date.now() > deadline) throw new Error(`projections did not catch up: ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
