/**
 * The budget, as an OOM killer would apply it: the first reading above it (a sample, a polled
 * VmHWM, or a phase peak the recorder or an output boundary reported) is where the run was stopped,
 * and the child is killed there. Readings after the first crossing, or after the child ended,
 * change nothing. Pure: no process of its own (child-run.ts feeds it and kills).
 */

/** Where the budget was crossed, as an OOM killer would have seen it. */
export interface BudgetKill {
  /** ms since spawn. */
  readonly t: number;
  readonly rssBytes: number;
  /** Innermost phase open at that moment (null: none open, or no recorder). */
  readonly phase: string | null;
  /** Which reading crossed: a sample, the polled VmHWM, or a peak the recorder reported. */
  readonly by: 'sample' | 'vmhwm' | 'probe';
}

export class BudgetPolicy {
  private crossed: BudgetKill | null = null;
  private ended = false;

  /** `budgetBytes` null: no budget, nothing is ever killed. `onCross` kills the child (called once). */
  constructor(
    readonly budgetBytes: number | null,
    private readonly onCross: (kill: BudgetKill) => void,
  ) {}

  /** The crossing that stopped the run, or null. */
  get kill(): BudgetKill | null {
    return this.crossed;
  }

  /** The child ended: later readings (a late event) are not a crossing. */
  end(): void {
    this.ended = true;
  }

  /** One reading; true when it is the first above the budget (the child is being killed for it). */
  check(reading: BudgetKill): boolean {
    if (this.budgetBytes === null || this.crossed !== null || this.ended || reading.rssBytes <= this.budgetBytes) return false;
    this.crossed = reading;
    this.onCross(reading);
    return true;
  }
}
