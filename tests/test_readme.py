"""The README's two commands are the front door: check they are what CI and users run."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", (ROOT / "README.md").read_text(encoding="utf-8"))[:2]


def test_readme_opens_with_two_commands_and_ci_runs_the_second() -> None:
    setup_run, setup_test = readme_commands()
    assert "newsgraph etl examples/articles" in setup_run
    assert "pytest" in setup_test
    assert setup_test in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_main_job_runs(tmp_path: Path) -> None:
    """Command 1 after its install step, as written, with a real local Prefect server.

    Runs in a copy of the project's examples so the user's ./newsgraph-store is not touched;
    the install step itself is what `.ci/run` does before this suite.
    """
    setup_run = readme_commands()[0]
    steps = [shlex.split(s) for s in setup_run.split(" && ")]
    bindir = Path(sys.executable).parent
    env = {**os.environ, "NEWSGRAPH_HOME": str(tmp_path / "home")}
    env.pop("PREFECT_API_URL", None)
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    outputs = []
    try:
        for argv in steps:
            if argv[0].endswith("newsgraph"):
                argv = [str(bindir / "newsgraph"), *argv[1:]]
                proc = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
                assert proc.returncode == 0, proc.stderr
                outputs.append(proc.stdout)
    finally:
        subprocess.run([str(bindir / "newsgraph"), "prefect", "stop"], env=env, capture_output=True, timeout=60)
    etl_out, query_out = outputs
    assert re.search(r"articles: 5 read, 5 loaded", etl_out)
    assert re.search(r"facts: \d+ persons, \d+ meetings, \d+ weapon systems, \d+ permissions", etl_out)
    assert "participant" in query_out and "held" in query_out
    assert (tmp_path / "newsgraph-store").is_dir()
