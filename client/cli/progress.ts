import cliProgress from "cli-progress";
import { formatBytes, formatRate } from "./format.ts";

/** One transfer's bar. */
export interface Bar {
  update(bytesDone: number): void;
  finish(): void;
}

/** Progress bars on a terminal; nothing at all when output is piped or --json is on. */
export interface Progress {
  track(label: string, bytesTotal: number): Bar;
  stop(): void;
}

const silentBar: Bar = { update: () => {}, finish: () => {} };
export const silentProgress: Progress = { track: () => silentBar, stop: () => {} };

/** cli-progress bars on stderr, with human sizes and a transfer rate per bar. */
export function terminalProgress(stream: NodeJS.WritableStream = process.stderr, now: () => number = Date.now): Progress {
  const bars = new cliProgress.MultiBar(
    {
      stream,
      format: " {bar} {percentage}% | {done} of {size} | {rate} | {label}",
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    track(label, bytesTotal) {
      const started = now();
      const payload = (done: number) => {
        const seconds = Math.max((now() - started) / 1000, 0.001);
        return { label, done: formatBytes(done), size: formatBytes(bytesTotal), rate: formatRate(done / seconds) };
      };
      // A zero-byte total would show NaN%; one "unit" that completes at once reads right.
      const total = Math.max(bytesTotal, 1);
      const bar = bars.create(total, 0, payload(0));
      return {
        update: (done) => bar.update(Math.min(done, total), payload(done)),
        finish: () => bar.update(total, payload(bytesTotal)),
      };
    },
    stop: () => bars.stop(),
  };
}
