import { parseProbeEvent, type ProbeEvent } from '@highwater/probe';

/**
 * Reads the recorder's JSON lines as they arrive, keeps every event, and knows which phases are
 * open right now (what an OOM verdict names). Memory: the events of one run (a few per phase,
 * 20 heap samples a second at the default interval).
 */
export class PhaseTracker {
  readonly events: ProbeEvent[] = [];
  private readonly open: string[] = [];
  private partial = '';
  /** Called for each event as it arrives (budget checks on reported peaks). */
  onEvent: ((e: ProbeEvent) => void) | undefined;

  push(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  /** Flushes a last line that had no newline. */
  finish(): void {
    if (this.partial !== '') this.line(this.partial);
    this.partial = '';
  }

  /** The innermost open phase, or null. */
  currentPhase(): string | null {
    return this.open.length > 0 ? this.open[this.open.length - 1]! : null;
  }

  openPhases(): readonly string[] {
    return this.open;
  }

  private line(line: string): void {
    const e = parseProbeEvent(line);
    if (!e) return;
    this.events.push(e);
    if (e.type === 'begin') this.open.push(e.phase);
    else if (e.type === 'end') {
      const i = this.open.lastIndexOf(e.phase);
      if (i >= 0) this.open.length = i;
    }
    this.onEvent?.(e);
  }
}
