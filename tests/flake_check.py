"""`make flake-check`: run the tests that can race, again and again, and name any that failed
even once.

The browser tests run 10 times in a row, the database-race tests (real threads and a backend
killed mid-write, PostgreSQL only) 5 times, each run a fresh pytest on the configured database
(DATABASE_URL; PostgreSQL, as in CI). A test that was skipped counts against the check too: a
check that skipped a test (no Chromium, or SQLite for the race tests) proved nothing about it.
Each run's output and JUnit XML go to artifacts/flake-check/.

    python tests/flake_check.py [--browser-runs N] [--race-runs N]
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "artifacts" / "flake-check"
BROWSER_TESTS = ["tests/browser"]
RACE_TESTS = ["tests/annotations/test_concurrency.py", "tests/test_failures.py"]


def outcomes(junit_xml: Path) -> dict[str, str]:
    """Test id -> "passed", "failed" or "skipped", from pytest's JUnit XML report."""
    result = {}
    for case in ET.parse(junit_xml).iter("testcase"):
        # pytest writes module "tests.browser.test_csp" and name "test_x[param]".
        test_id = case.get("classname").replace(".", "/") + ".py::" + case.get("name")
        if case.find("failure") is not None or case.find("error") is not None:
            result[test_id] = "failed"
        elif case.find("skipped") is not None:
            result.setdefault(test_id, "skipped")
        else:
            result.setdefault(test_id, "passed")
    return result


def run(suite: str, paths: list[str], number: int) -> dict[str, str]:
    """One pytest run; its outcomes, or a single "failed" entry when pytest itself broke."""
    log, junit_xml = OUT / f"{suite}-{number}.log", OUT / f"{suite}-{number}.xml"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    with log.open("w") as out:
        code = subprocess.run(
            [*command, f"--junitxml={junit_xml}", *paths], cwd=ROOT, stdout=out, stderr=out
        ).returncode
    result = outcomes(junit_xml) if junit_xml.exists() else {}
    if code not in (0, 1) or not result:  # interrupted, internal error, nothing collected
        result[f"{suite} run (pytest exit code {code})"] = "failed"
    return result


def check(suite: str, paths: list[str], runs: int) -> tuple[dict[str, Counter], float]:
    """Run a suite `runs` times: per test id, a count of its outcomes; and the seconds taken."""
    counts: dict[str, Counter] = {}
    started = time.monotonic()
    for number in range(1, runs + 1):
        run_started = time.monotonic()
        result = run(suite, paths, number)
        for test_id, outcome in result.items():
            counts.setdefault(test_id, Counter())[outcome] += 1
        tally = Counter(result.values())
        print(
            f"{suite} run {number}/{runs}: {tally['passed']} passed, {tally['failed']} failed, "
            f"{tally['skipped']} skipped in {time.monotonic() - run_started:.0f} s",
            flush=True,
        )
    return counts, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--browser-runs", type=int, default=10)
    parser.add_argument("--race-runs", type=int, default=5)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("flake-check: DATABASE_URL is not PostgreSQL; the race tests will be skipped")
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)

    bad = []
    for suite, paths, runs in [
        ("browser", BROWSER_TESTS, args.browser_runs),
        ("race", RACE_TESTS, args.race_runs),
    ]:
        counts, seconds = check(suite, paths, runs)
        print(f"{suite}: {len(counts)} tests x {runs} runs in {seconds:.0f} s", flush=True)
        for test_id, outcome in sorted(counts.items()):
            for what in ("failed", "skipped"):
                if outcome[what]:
                    bad.append(f"{test_id}: {what} in {outcome[what]} of {runs} runs")

    if bad:
        print(f"\nflake-check FAILED (logs in {OUT.relative_to(ROOT)}/):")
        print("\n".join(f"  {line}" for line in bad))
        return 1
    print("\nflake-check passed: no test failed or was skipped in any run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
