/**
 * @highwater/engine: the operations as plain async functions with options objects. No argv, no
 * stdout, no process.exit: progress and warnings are events passed to `onEvent`, and each returns a
 * result value. Phases are marked on the repository's probe.
 */
export { EngineError, InternalError, type EngineErrorCode } from './errors.js';
export { init, type InitOptions } from './init.js';
export { backup, PROGRAM_VERSION } from './backup.js';
export {
  toResticStatus,
  toResticSummary,
  type BackupEvent,
  type BackupOptions,
  type BackupStatus,
  type BackupSummary,
} from './backup-types.js';
export { restore } from './restore.js';
export type { RestoreEvent, RestoreOptions, RestoreStatus, RestoreSummary } from './restore-types.js';
export { planDirectory, countRestore, type DirectoryPlan, type PlanItem, type PlanProblem, type PlanRules, type RestoreTotals } from './restore-plan.js';
export { listSnapshots, loadEachSnapshot, matchesFilter, byTime, type SnapshotListFilter } from './snapshot-list.js';
export { walkSnapshot, type WalkedNode } from './walk-snapshot.js';
export { cat, CAT_TYPES, type CatOptions, type CatType } from './cat.js';
export { check } from './check.js';
export type { CheckEvent, CheckOptions, CheckProblem, CheckProblemKind, CheckResult } from './check-types.js';
export { unlock } from './unlock.js';
export { compilePatterns, compilePatternsIgnoringCase, anyOf, type PathMatcher } from './path-patterns.js';
export { CACHEDIR_TAG } from './backup-filters.js';
export { formatGoTime, parseGoTime, goTimeNow } from './go-time.js';
export { toGoMode, fromGoMode, goModeString, GO_MODE } from './go-file-mode.js';
export { unsafeNameReason } from './safe-node-name.js';
export { compareNames } from './compare-names.js';
export * from './forget.js';
export * from './prune.js';
