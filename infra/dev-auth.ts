import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SignJWT } from "jose";

const SECRET_FILE = "auth-secret";

/**
 * With no LEDGERBOX_AUTH_SECRET, the embedded server keeps a generated secret in its data dir
 * (created once, mode 0600) so tokens survive restarts, and prints a ready token for user `dev`.
 */
export async function devSecret(dataDir: string): Promise<string> {
  const file = join(dataDir, SECRET_FILE);
  try {
    return (await readFile(file, "utf8")).trim();
  } catch {
    await mkdir(dataDir, { recursive: true });
    const secret = randomBytes(32).toString("base64url");
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: "wx" }).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== "EEXIST") throw error;
    });
    return (await readFile(file, "utf8")).trim();
  }
}

/** An HS256 token as the API expects: `sub`, optional `ns` grants and `admin`. */
export async function signToken(
  secret: string,
  claims: { sub: string; ns?: string[]; admin?: boolean },
  expiresIn: string | number = "30d",
): Promise<string> {
  const { sub, ...rest } = claims;
  return new SignJWT(rest)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
