/**
 * How the gear table is made. Every client must cut the same bytes at the same places (that is what
 * makes chunks dedupe across clients and versions), so the table is fixed data, committed in
 * gear-table.ts, and this documents where it came from so anyone can check it:
 *
 *   gear[i] = first 4 bytes, big-endian, of SHA-256( UTF-8(GEAR_SEED) ‖ byte i ),  i = 0..255
 *
 * gear-table.test.ts regenerates the table with this function and compares it with the data.
 */
export const GEAR_SEED = "ledgerbox/fastcdc/gear/v1";

export async function generateGearTable(seed: string = GEAR_SEED): Promise<Uint32Array> {
  const prefix = new TextEncoder().encode(seed);
  const table = new Uint32Array(256);
  const input = new Uint8Array(prefix.length + 1);
  input.set(prefix);
  for (let i = 0; i < 256; i++) {
    input[prefix.length] = i;
    const digest = new DataView(await crypto.subtle.digest("SHA-256", input));
    table[i] = digest.getUint32(0, false);
  }
  return table;
}
