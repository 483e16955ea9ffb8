/** Argument helpers shared by the commands (kept apart so that a command does not load another's engine modules). */

/** A repeatable option's values as strings (yargs gives undefined, one value, or an array). */
export function stringList(v: unknown): string[] {
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.map(String);
}
