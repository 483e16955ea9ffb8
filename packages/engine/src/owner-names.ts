/**
 * uid/gid to user/group names, as restic records them in a node (`user`, `group`). Read from
 * /etc/passwd and /etc/group once per operation (the caller creates one OwnerNames per backup);
 * unknown ids give '' (omitted from the node), as restic does when the lookup fails.
 */
import { readFileSync } from 'node:fs';

function readTable(file: string): Map<number, string> {
  const map = new Map<number, string>();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return map;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || f[0] === '' || line.startsWith('#')) continue;
    const id = Number(f[2]);
    if (Number.isInteger(id) && !map.has(id)) map.set(id, f[0]!);
  }
  return map;
}

export class OwnerNames {
  #users: Map<number, string> | undefined;
  #groups: Map<number, string> | undefined;

  constructor(private readonly files: { passwd: string; group: string } = { passwd: '/etc/passwd', group: '/etc/group' }) {}

  user(uid: number): string {
    this.#users ??= readTable(this.files.passwd);
    return this.#users.get(uid) ?? '';
  }

  group(gid: number): string {
    this.#groups ??= readTable(this.files.group);
    return this.#groups.get(gid) ?? '';
  }

  uidOf(name: string): number | undefined {
    this.#users ??= readTable(this.files.passwd);
    for (const [id, n] of this.#users) if (n === name) return id;
    return undefined;
  }

  gidOf(name: string): number | undefined {
    this.#groups ??= readTable(this.files.group);
    for (const [id, n] of this.#groups) if (n === name) return id;
    return undefined;
  }
}
