/**
 * From the global options to a repository: location (--repo / RESTIC_REPOSITORY) → backend,
 * password (restic's sources, in restic's order) → OpenRepository, and the strategy flags
 * (--strategy, --index-load-concurrency, --tree-decode, --blob-set, --young-generation, --cache-dir, --no-cache) →
 * StrategyChoices. The probe is the harness's recorder when HIGHWATER_PROBE_FD is set.
 */
import { openBackend, type Backend } from '@highwater/backend';
import { recorderFromEnv } from '@highwater/probe';
import { applyYoungGeneration, openRepository, resolveChoices, type OpenRepository, type StrategyChoices } from '@highwater/repo';
import { STRATEGY_CHOICE_FLAGS } from '@highwater/repo/choices';
import { UsageError } from './cli-error.js';
import { flagKey } from './global-options.js';
import type { Io } from './io.js';
import { resolvePassword, resolveRepository } from './password.js';

/** The strategy choices the flags set; unset ones take the strategy's defaults (repo.resolveChoices). */
export function strategyChoices(args: Record<string, unknown>): Partial<StrategyChoices> {
  const c: Record<string, unknown> = {};
  for (const f of STRATEGY_CHOICE_FLAGS) {
    const v = args[flagKey(f.flag)];
    if (f.values === 'boolean') {
      // --no-cache: no cache directory, whatever --cache-dir says
      if (v === false || args[flagKey(`no-${f.flag}`)] === true) c[f.key] = null;
    } else if (f.values === 'positive-integer') {
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new UsageError(`--${f.flag}: expected a positive integer, got ${String(v)}`);
      c[f.key] = v;
    } else if (typeof v === 'string' && v !== '') c[f.key] = v;
  }
  return c as Partial<StrategyChoices>;
}

/**
 * Applies the process-wide choice of the flags to this process: V8's young generation
 * (--young-generation, else the strategy's default). run() calls it before every command's handler;
 * bin/highwater.js has already made it `fixed` before loading anything, as the default strategy wants.
 */
export function applyProcessChoices(args: Record<string, unknown>): void {
  applyYoungGeneration(resolveChoices(strategyChoices(args)).youngGeneration);
}

/** The backend for --repo / RESTIC_REPOSITORY (a path, local:PATH or rest:URL). */
export function repoBackend(args: Record<string, unknown>, io: Io): Backend {
  const location = resolveRepository(typeof args.repo === 'string' ? args.repo : undefined, io);
  return openBackend(location, { cwd: io.cwd, env: io.env });
}

export function passwordArgs(args: Record<string, unknown>): { passwordFile?: string; passwordCommand?: string } {
  return {
    ...(typeof args.passwordFile === 'string' ? { passwordFile: args.passwordFile } : {}),
    ...(typeof args.passwordCommand === 'string' ? { passwordCommand: args.passwordCommand } : {}),
  };
}

/** Opens the repository the arguments name. Fails with NO_REPOSITORY (exit 10), WRONG_PASSWORD (exit 12), ... */
export async function openRepo(args: Record<string, unknown>, io: Io): Promise<OpenRepository> {
  const choices = strategyChoices(args);
  const backend = repoBackend(args, io);
  const password = await resolvePassword(passwordArgs(args), io);
  const probe = recorderFromEnv(io.env);
  return openRepository({ backend, password, probe, choices });
}
