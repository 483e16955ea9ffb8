import { fileURLToPath } from 'node:url';

/** The project root (holds .cache/, fixtures/, packages/cli/bin/). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
