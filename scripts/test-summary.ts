/**
 * Prints the closing line CI reads from `.ci/run`: "tests: N passed, N failed, N skipped", summed
 * over the vitest JSON reports given (one per Node line). Exits 1 when a report is missing or counts
 * no test, so a run that executed nothing cannot pass.
 */
import { existsSync, readFileSync } from "node:fs";

const totals = { passed: 0, failed: 0, skipped: 0 };
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    console.error(`test-summary: ${file} is missing: did vitest run with --outputFile.json?`);
    process.exit(1);
  }
  const report = JSON.parse(readFileSync(file, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  if (report.numPassedTests + report.numFailedTests === 0) {
    console.error(`test-summary: ${file} counts no test`);
    process.exit(1);
  }
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests + report.numTodoTests;
}
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exitCode = totals.failed > 0 ? 1 : 0;
