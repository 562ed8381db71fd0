// Sums the vitest JSON reports of every package (packages/*/test-results/vitest.json)
// and prints one closing line "tests: N passed, N failed, N skipped".
// Exits 1 when a report is missing for a package that has tests, or when none ran.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

let passed = 0, failed = 0, skipped = 0, missing = [];
for (const pkg of readdirSync('packages')) {
  const dir = join('packages', pkg);
  if (!existsSync(join(dir, 'test'))) continue;
  const report = join(dir, 'test-results', 'vitest.json');
  if (!existsSync(report)) { missing.push(pkg); continue; }
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
}
if (missing.length) console.error(`test-summary: no vitest report for ${missing.join(', ')}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(missing.length || failed || passed === 0 ? 1 : 0);
