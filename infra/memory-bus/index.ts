export { BusClosedError, createMemoryBus } from "./memory-bus.ts";
