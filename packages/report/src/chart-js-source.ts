import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ReportError } from './errors.js';

/**
 * The Chart.js 4 UMD build (`chart.js/dist/chart.umd.js`, ~210 KB), read from node_modules so that
 * the page can inline it and open offline. chart.js does not export that path, so it is found
 * next to the package's main entry.
 */
export function chartJsSource(): string {
  let file: string;
  try {
    file = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js');
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ReportError('CHART_JS_MISSING', 'chart.js/dist/chart.umd.js', 'Chart.js UMD build not found: run npm install', { cause: err });
  }
}

/** Script text safe to put between `<script>` and `</script>`. */
export function inlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
