import { expect, it } from "vitest";
import { generateGearTable } from "./gear-seed.ts";
import { GEAR } from "./gear-table.ts";

it("the committed gear table is exactly the one the documented seed generates", async () => {
  expect(Array.from(await generateGearTable())).toEqual(Array.from(GEAR));
  expect(new Set(GEAR).size).toBe(256);
});
