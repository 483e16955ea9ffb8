/**
 * `@highwater/engine/prune`: prune as plan-then-execute, its options and plan, and the plan text as
 * restic prints it. Also re-exported from the package entry.
 */
export { prune } from './prune/prune.js';
export { PruneError, type PruneErrorCode } from './prune/prune-error.js';
export { parseMaxUnused, parseSizeOption, maxUnusedBytes } from './prune/max-unused.js';
export { pruneStatsLines, planSummary, formatPercent } from './prune/prune-report.js';
export { formatBytes } from './restic-format.js';
export {
  DEFAULT_MAX_UNUSED,
  type MaxUnused,
  type PackList,
  type PruneEvent,
  type PruneOptions,
  type PlanSummary,
  type PrunePlan,
  type PruneResult,
  type PruneStats,
  type PruneStep,
} from './prune/prune-types.js';
