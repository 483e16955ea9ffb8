/**
 * `@highwater/engine/forget`: restic's snapshot policy as a pure function, grouping, the forget
 * operation and its JSON as restic 0.14 prints it. Also re-exported from the package entry.
 */
export { forget } from './forget/forget.js';
export { applyPolicy, newestFirst, type KeepReason, type KeepCounters, type PolicyResult } from './forget/apply-policy.js';
export { type ExpirePolicy, isEmptyPolicy, describePolicy, checkPolicy } from './forget/policy.js';
export { parseDuration, formatDuration, type Duration } from './forget/duration.js';
export { parseGroupBy, groupSnapshots, DEFAULT_GROUP_BY, type GroupBy, type SnapshotGroup } from './forget/group-snapshots.js';
export { forgetJson } from './forget/forget-json.js';
export { ForgetError, type ForgetErrorCode } from './forget/forget-error.js';
export { parseSnapshotTime, isoWeek, type SnapshotTime } from './forget/snapshot-time.js';
export type { ForgetEvent, ForgetGroupResult, ForgetOptions, ForgetResult } from './forget/forget-types.js';
