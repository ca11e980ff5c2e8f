"""analysis/book/workflow.py: Snakemake's book-keeping is kept off the screen, and
everything else (what the steps print, an error of Snakemake itself) is shown."""
import subprocess
import sys

from analysis.book import workflow


def kept(text: str) -> str:
    return "".join(workflow.keep(text.splitlines(keepends=True)))


def test_book_keeping_goes_and_the_steps_lines_stay():
    out = """Assuming unrestricted shared filesystem usage.
Building DAG of jobs...
Using shell: /usr/bin/bash
Provided cores: 2
Rules claiming more threads will be scaled down.
Select jobs to execute...
Execute 1 jobs...
.venv/bin/python -m analysis.data.ingest
ingest: 2903 values, 28 indicators, 6 countries, 98 replaced → indicators.csv
Touching output file /repo/_build/stamps/ingest.
Updating checkpoint dependencies.
DAG of jobs will be updated after completion.
Nothing to be done (all requested files are present and up to date).
Complete log(s): /repo/.snakemake/log/2026-12-03T134356.162686.snakemake.log
Elapsed time: 0:00:00.425516
"""
    assert kept(out) == (".venv/bin/python -m analysis.data.ingest\n"
                         "ingest: 2903 values, 28 indicators, 6 countries, 98 replaced → indicators.csv\n")


def test_a_failed_job_leaves_only_its_own_error():
    err = """error: data/raw/x.csv: row 3, column "Value": non-numeric value 'abc' where a number is expected
RuleException:
CalledProcessError in file "/repo/Snakefile", line 86:
Command 'set -euo pipefail;  echo '.venv/bin/python -m analysis.data.ingest'; .venv/bin/python -m analysis.data.ingest' returned non-zero exit status 1.
Shutting down, this might take some time.
Exiting because a job execution failed. Look above for error messages
--keep-incomplete mode is set, so incomplete output files and shadow directories of failed jobs are not removed.
WorkflowError:
At least one job did not complete successfully.
"""
    assert kept(err) == ("error: data/raw/x.csv: row 3, column \"Value\": non-numeric value 'abc' "
                         "where a number is expected\n")


def test_snakemake_s_own_errors_are_shown():
    err = """WorkflowError:
Target rules may not contain wildcards.
RuleException:
NameError in file "/repo/Snakefile", line 3:
name 'x' is not defined
TokenError:
('EOF in multi-line statement', (181, 0))
"""
    assert kept(err) == err


def test_the_status_and_the_errors_are_snakemake_s(tmp_path):
    (tmp_path / "Snakefile").write_text('rule a:\n    output: "a.txt"\n    shell: "echo made; touch {output}"\n')
    run = lambda *args: subprocess.run([sys.executable, "-m", "analysis.book.workflow", *args, "--cores", "1"],
                                       capture_output=True, text=True, cwd=tmp_path)
    ok = run("a.txt")
    assert ok.returncode == 0 and ok.stdout == "made\n" and ok.stderr == "", ok
    missing = run("no-such-target")
    assert missing.returncode == 1
    assert "no-such-target" in missing.stderr  # Snakemake's own error, shown
