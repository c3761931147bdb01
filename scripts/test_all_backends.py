"""Runs the test suite once per Keras backend, each in its own process.

Fails when any backend fails, when pytest collects no tests (exit code 5),
and prints the test count per backend and a closing 'N passed, N failed' line.
"""

import os
import re
import subprocess
import sys
import time

BACKENDS = ("tensorflow", "jax", "torch")


def main(argv):
    totals = {"passed": 0, "failed": 0, "skipped": 0, "errors": 0}
    failures = []
    summary = []
    for backend in BACKENDS:
        env = dict(os.environ, KERAS_BACKEND=backend)
        start = time.time()
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *argv]
        print(f"=== KERAS_BACKEND={backend}: {' '.join(cmd)}", flush=True)
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        sys.stdout.write(proc.stdout)
        counts = {k: 0 for k in totals}
        tail = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
        for number, word in re.findall(r"(\d+) (passed|failed|skipped|errors?)", tail):
            counts["errors" if word.startswith("error") else word] += int(number)
        for key in totals:
            totals[key] += counts[key]
        elapsed = time.time() - start
        summary.append(f"{backend}: {counts['passed']} passed, {counts['failed']} failed, "
                       f"{counts['skipped']} skipped, {counts['errors']} errors in {elapsed:.0f}s")
        if proc.returncode == 5:
            failures.append(f"{backend}: pytest collected no tests")
        elif proc.returncode != 0:
            failures.append(f"{backend}: pytest exit code {proc.returncode}")
    print("\n=== per backend")
    print("\n".join(summary))
    for failure in failures:
        print("FAILED:", failure)
    print(f"{totals['passed']} passed, {totals['failed'] + totals['errors']} failed, {totals['skipped']} skipped")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
