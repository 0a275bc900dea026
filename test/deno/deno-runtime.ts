/**
 * The few Deno APIs the suite uses, typed here so the TypeScript project (which has Node's types,
 * not Deno's) still checks these files. At run time they are Deno's own.
 */
export interface DenoTestContext {
  step(name: string, fn: () => Promise<void>): Promise<boolean>;
}

interface DenoCommandOutput {
  readonly code: number;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
}

export interface DenoLike {
  test(options: {
    name: string;
    fn: (context: DenoTestContext) => Promise<void>;
    sanitizeResources?: boolean;
    sanitizeOps?: boolean;
  }): void;
  readonly env: { get(name: string): string | undefined };
  execPath(): string;
  makeTempDir(options?: { prefix?: string }): Promise<string>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
  remove(path: string, options?: { recursive?: boolean }): Promise<void>;
  Command: new (
    command: string,
    options: { args: string[]; cwd?: string; env?: Record<string, string>; stdout?: "piped"; stderr?: "piped" },
  ) => { output(): Promise<DenoCommandOutput> };
}

export const Deno = (globalThis as unknown as { Deno: DenoLike }).Deno;

/** Settings the harness (run.ts) passes in: where the server is and a token for it. */
export function serverFromEnv(): { url: string; token: string } {
  const url = Deno.env.get("LEDGERBOX_URL");
  const token = Deno.env.get("LEDGERBOX_TOKEN");
  if (!url || !token) throw new Error("LEDGERBOX_URL and LEDGERBOX_TOKEN must be set: run the suite with `npm run test:deno`");
  return { url, token };
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

export function assertBytesEqual(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assert(actual.length === expected.length, `${what}: ${actual.length} bytes, expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) throw new Error(`assertion failed: ${what} differs at byte ${i}`);
  }
}

export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
