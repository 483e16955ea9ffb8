import type { RssReading, RssSampler } from './rss-sampler.js';

/**
 * The sampling loop of one measured child: a reading of the target process every `intervalMs`
 * (the next one is scheduled after the previous finished, so a slow reading never overlaps the
 * next). `target()` names the process to read; undefined while it is not known yet (a wrapper's
 * child not started): that tick reads nothing. No reading is delivered after stop().
 */
export interface SamplingLoop {
  start(): void;
  stop(): void;
}

export interface SamplingLoopOptions {
  readonly sampler: Pick<RssSampler, 'read'>;
  readonly intervalMs: number;
  readonly target: () => number | undefined;
  readonly onReading: (r: RssReading) => void;
}

export function samplingLoop(o: SamplingLoopOptions): SamplingLoop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async (): Promise<void> => {
    if (stopped) return;
    const pid = o.target();
    if (pid !== undefined) {
      const r = await o.sampler.read(pid);
      if (r && !stopped) o.onReading(r);
    }
    if (!stopped) timer = setTimeout(() => void tick(), o.intervalMs);
  };
  return {
    start: () => void tick(),
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
