/** How a script that checks its run ends: exit 0 when every check passed, 1 (with a line saying so) when not. */

/** One check of a run: the flash sale's shape checks and `npm start`'s checks have this form. */
export interface RunCheck {
  readonly name: string;
  readonly ok: boolean;
}

/** The exit code for `checks`, and the stderr line naming the failures (undefined when all passed). */
export function checkOutcome(script: string, checks: readonly RunCheck[]): { exitCode: 0 | 1; message?: string } {
  const failed = checks.filter((check) => !check.ok);
  if (failed.length === 0) return { exitCode: 0 };
  return {
    exitCode: 1,
    message: `${script}: ${failed.length} of ${checks.length} checks FAILED: ${failed.map((check) => check.name).join("; ")}`,
  };
}
