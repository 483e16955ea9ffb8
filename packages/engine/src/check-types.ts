/** The check operation's options, events and result. */
import type { OpenRepository } from '@highwater/repo';

export type CheckProblemKind = 'index' | 'pack' | 'snapshot' | 'tree' | 'data';

export interface CheckProblem {
  readonly kind: CheckProblemKind;
  /** The repository file at fault (`data/<id>`, `index/<id>`, `snapshots/<id>`, `tree <id>`). */
  readonly file?: string;
  /** One line, naming the file. */
  readonly message: string;
}

export type CheckEvent =
  | { readonly type: 'step'; readonly step: 'load-index' | 'check-packs' | 'walk-trees' | 'read-data' }
  | { readonly type: 'problem'; readonly problem: CheckProblem }
  /** Not an error: e.g. a pack no index references (prune removes it). */
  | { readonly type: 'hint'; readonly message: string }
  | { readonly type: 'progress'; readonly step: 'walk-trees' | 'read-data'; readonly done: number; readonly total: number };

export interface CheckOptions {
  readonly repo: OpenRepository;
  /** Also read every pack: verify its hash and every blob's hash (restic --read-data). */
  readonly readData?: boolean;
  readonly onEvent?: (e: CheckEvent) => void;
  readonly signal?: AbortSignal;
  /** Do not take the shared lock (restic --no-lock). */
  readonly noLock?: boolean;
}

export interface CheckResult {
  readonly problems: readonly CheckProblem[];
  readonly hints: readonly string[];
  readonly indexFiles: number;
  readonly packs: number;
  readonly snapshots: number;
  readonly trees: number;
  readonly packsRead: number;
  /** Every pack in which read-data found damage (hex ids). */
  readonly damagedPacks: readonly string[];
}
