"""The scheduling recipes in the README and examples/ do what they say: the cron line sends
once and treats "nothing new" as success, the systemd units run a command feedkit accepts, and
the GitHub Actions workflow is valid YAML whose steps build the feeds, send the digest, and
keep the state file across runners (so a second run sends nothing again).

Commands run against a temporary site with the installed ``feedkit``; mail goes to an
in-process SMTP server on 127.0.0.1 named by FEEDKIT_SMTP_* in the environment.
"""

from __future__ import annotations

import configparser
import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml
from doctools import FEEDKIT, REPO, blocks, clean_env, feedkit_words, parse_invocation, section
from mailtools import smtp_server

WORKFLOW = REPO / "examples" / "github-actions.yml"
NOTHING_NEW = 3
ARTICLE = "---\ntitle: {title}\npublish_date: {date}\ndescription: About {title}.\n---\nBody.\n"


def _site(root: Path, *titles: str) -> Path:
    """A site made by ``feedkit init``, with one article per title, dated now."""
    env = clean_env(HOME=str(root))
    subprocess.run([str(FEEDKIT), "-q", "init", str(root / "site"), "--url",
                    "https://news.example.org", "--title", "Harbour News"], check=True,
                   env=env, capture_output=True)
    site = root / "site"
    (site / "content" / "welcome.md").unlink()
    for title in titles:
        made = subprocess.run([str(FEEDKIT), "new", title], cwd=site, check=True,
                              env=env, capture_output=True, text=True)
        written = site / made.stdout.strip()
        written.write_text(written.read_text(encoding="utf-8").replace(
            "description: ''", f"description: About {title}."), encoding="utf-8")
    return site


def _mail_env(server_port: int, **extra: str) -> dict[str, str]:
    return clean_env(FEEDKIT_SMTP_HOST="127.0.0.1", FEEDKIT_SMTP_PORT=str(server_port),
                     FEEDKIT_SMTP_SECURITY="none",
                     FEEDKIT_DIGEST_FROM="Harbour News <news@example.org>",
                     FEEDKIT_DIGEST_TO="reader@example.org", **extra)


# -- cron -------------------------------------------------------------------------------------


def _cron_line() -> str:
    (block,) = blocks("cron", section("cron"))
    (line,) = [line for line in block.splitlines() if line and not line.startswith("#")]
    return line


def test_cron_schedule_is_five_fields_and_a_command_feedkit_accepts() -> None:
    fields = _cron_line().split(maxsplit=5)
    assert all(re.fullmatch(r"[\d*/,-]+", f) for f in fields[:5]), fields
    name, params = parse_invocation(feedkit_words(fields[5]))
    assert (name, params["since"], params["send"]) == ("digest", "last", True)


def test_cron_command_sends_once_and_nothing_new_is_not_an_error(tmp_path: Path) -> None:
    site = _site(tmp_path, "Harbour opens")
    command = _cron_line().split(maxsplit=5)[5]
    assert "/srv/site" in command and ".venv/bin/feedkit" in command
    command = command.replace("/srv/site", shlex.quote(str(site))) \
        .replace(".venv/bin/feedkit", shlex.quote(str(FEEDKIT)))
    with smtp_server() as server:
        env = _mail_env(server.port)
        first = subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True)
        assert first.returncode == 0, first.stderr
        assert first.stdout == ""  # -q: cron mails any output, so there is none
        assert len(server.sink.received) == 1
        again = subprocess.run(["sh", "-c", command], env=env, capture_output=True, text=True)
        assert again.returncode == 0, again.stderr  # exit 3 turned into success
        assert len(server.sink.received) == 1
        # and a real failure still fails the job
        broken = command.replace("--send", "--send --since 2025-13-01")
        failed = subprocess.run(["sh", "-c", broken], env=env, capture_output=True, text=True)
        assert failed.returncode == 2


# -- systemd ----------------------------------------------------------------------------------


def _units() -> dict[str, configparser.ConfigParser]:
    (block,) = blocks("ini", section("systemd timer"))
    units: dict[str, configparser.ConfigParser] = {}
    for part in re.split(r"^# /etc/systemd/system/", block, flags=re.M)[1:]:
        name, body = part.split("\n", 1)
        parser = configparser.ConfigParser(strict=True, interpolation=None,
                                           comment_prefixes=("#", ";"))
        parser.optionxform = str  # type: ignore[assignment,method-assign]
        parser.read_string(body)
        units[name.strip()] = parser
    return units


def test_systemd_units_run_a_digest_feedkit_accepts_and_exit_3_is_success() -> None:
    units = _units()
    assert set(units) == {"feedkit-digest.service", "feedkit-digest.timer"}
    service, timer = units["feedkit-digest.service"], units["feedkit-digest.timer"]
    assert service["Service"]["Type"] == "oneshot"
    argv = shlex.split(service["Service"]["ExecStart"])
    assert Path(argv[0]).is_absolute() and Path(argv[0]).name == "feedkit"
    assert Path(service["Service"]["WorkingDirectory"]).is_absolute()
    name, params = parse_invocation(argv[1:])
    assert (name, params["since"], params["send"]) == ("digest", "last", True)
    assert str(NOTHING_NEW) in service["Service"]["SuccessExitStatus"].split()
    assert timer["Timer"]["OnCalendar"] and timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"


# -- GitHub Actions ---------------------------------------------------------------------------


def _workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true; GitHub does not
    return data


def test_workflow_is_valid_yaml_with_the_triggers_and_jobs_the_readme_describes() -> None:
    flow = _workflow()
    assert set(flow["on"]) >= {"push", "schedule"}
    (schedule,) = flow["on"]["schedule"]
    assert len(schedule["cron"].split()) == 5
    jobs = flow["jobs"]
    assert set(jobs) == {"feeds", "deploy", "digest"}
    for job in jobs.values():
        assert job["runs-on"] == "ubuntu-latest"
        assert job.get("permissions"), "every job names the least it needs"
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), step
            if "uses" in step:
                assert re.fullmatch(r"actions/[\w-]+@v\d+", step["uses"]), step["uses"]
    assert jobs["digest"]["concurrency"] == {"group": "feedkit-digest",
                                             "cancel-in-progress": False}
    assert jobs["digest"]["permissions"] == {"contents": "write"}
    assert jobs["deploy"]["needs"] == "feeds"
    assert jobs["deploy"]["concurrency"]["group"] == "pages"
    assert "default_branch" in jobs["digest"]["if"]
    # PyPI's "feedkit" is another program: the workflow installs this one from git
    assert flow["env"]["INSTALL_FEEDKIT"].startswith("feedkit @ git+https://")
    # every FEEDKIT_* variable the workflow sets is a setting feedkit knows (an unknown one is a
    # warning, which fails every --strict run)
    from feedkit.settings import SETTINGS

    known = {s.env for s in SETTINGS} | {"FEEDKIT_CONFIG", "FEEDKIT_SMTP_PASSWORD"}
    named = set(re.findall(r"\bFEEDKIT_[A-Z_]+", WORKFLOW.read_text(encoding="utf-8")))
    assert named <= known
    upload = next(s for s in jobs["feeds"]["steps"] if "upload-pages" in s.get("uses", ""))
    assert upload["with"]["path"] == "public"  # where `feedkit build` writes by default


def test_every_feedkit_command_in_the_workflow_is_one_feedkit_accepts() -> None:
    commands = [line for job in _workflow()["jobs"].values() for step in job["steps"]
                for line in step.get("run", "").splitlines()
                if re.match(r"\s*feedkit ", line)]
    assert len(commands) == 2
    parsed = [parse_invocation(feedkit_words(line)) for line in commands]
    assert [name for name, _ in parsed] == ["build", "digest"]
    assert parsed[1][1]["since"] == "last" and parsed[1][1]["send"] is True


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True, env=clean_env()).stdout


def _run_job(job: dict, workdir: Path, env: dict[str, str]) -> list[subprocess.CompletedProcess]:
    """Run a job's ``run:`` steps as GitHub's runner does (bash -e -o pipefail), skipping the
    ``uses:`` actions and the pip install (feedkit is installed already). Stops at a failure."""
    results = []
    for step in job["steps"]:
        script = step.get("run")
        if script is None or "pip install" in script:
            continue
        step_env = {**env, **{k: v for k, v in (step.get("env") or {}).items()
                              if "${{" not in str(v)}}
        done = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c",
                               script], cwd=workdir, env=step_env, capture_output=True,
                              text=True)
        results.append(done)
        if done.returncode != 0:
            break
    return results


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A bare repository holding a site, as GitHub would: each run clones it afresh."""
    site = _site(tmp_path, "Harbour opens", "Tides table")
    remote = tmp_path / "remote.git"
    _git("init", "--quiet", "--bare", "--initial-branch=main", str(remote), cwd=tmp_path)
    for args in (["init", "--quiet", "--initial-branch=main"], ["add", "."],
                 ["-c", "user.name=Ed", "-c", "user.email=ed@example.org", "commit", "--quiet",
                  "-m", "site"], ["push", "--quiet", str(remote), "main"]):
        _git(*args, cwd=site)
    return remote


def _fresh_runner(remote: Path, where: Path) -> Path:
    _git("clone", "--quiet", str(remote), str(where), cwd=remote.parent)
    return where


def test_workflow_feeds_job_builds_what_it_uploads(repository: Path, tmp_path: Path) -> None:
    job = _workflow()["jobs"]["feeds"]
    checkout = _fresh_runner(repository, tmp_path / "runner")
    results = _run_job(job, checkout, clean_env(GITHUB_REF_NAME="main"))
    assert results and all(r.returncode == 0 for r in results), results[-1].stderr
    assert (checkout / "public" / "feed.xml").is_file()
    assert (checkout / "public" / "atom.xml").is_file()


def test_workflow_digest_job_sends_once_across_fresh_runners(repository: Path,
                                                             tmp_path: Path) -> None:
    job = _workflow()["jobs"]["digest"]
    with smtp_server() as server:
        env = _mail_env(server.port, GITHUB_REF_NAME="main", FEEDKIT_SMTP_PASSWORD="")
        first = _run_job(job, _fresh_runner(repository, tmp_path / "run1"), env)
        assert all(r.returncode == 0 for r in first), first[-1].stderr
        assert len(server.sink.received) == 1
        log = _git("log", "--format=%s", "main", cwd=repository)
        assert log.splitlines()[0].startswith("feedkit: record the digest sent ")
        assert ".feedkit/state.db" in _git("show", "--name-only", "--format=", "main",
                                           cwd=repository)
        # the next morning: a new runner, a fresh clone; the state came with it
        second = _run_job(job, _fresh_runner(repository, tmp_path / "run2"), env)
        assert all(r.returncode == 0 for r in second), second[-1].stderr
        assert "nothing recorded" in second[-1].stdout
        assert len(server.sink.received) == 1  # nothing sent twice
        assert _git("log", "--format=%s", "main", cwd=repository) == log


def test_workflow_digest_job_fails_when_sending_fails(repository: Path, tmp_path: Path) -> None:
    from mailtools import closed_port

    job = _workflow()["jobs"]["digest"]
    env = _mail_env(closed_port(), GITHUB_REF_NAME="main")
    results = _run_job(job, _fresh_runner(repository, tmp_path / "run"), env)
    assert results[-1].returncode == 1
    assert "state.db" not in _git("show", "--name-only", "--format=", "main", cwd=repository)


def test_workflow_digest_job_rebases_onto_a_push_that_landed_meanwhile(
        repository: Path, tmp_path: Path) -> None:
    job = _workflow()["jobs"]["digest"]
    runner = _fresh_runner(repository, tmp_path / "runner")  # checked out before the push
    author = _fresh_runner(repository, tmp_path / "author")
    (author / "content" / "late.md").write_text(
        "---\ntitle: Late\npublish_date: 2020-01-01\ndescription: Old.\n---\nBody.\n",
        encoding="utf-8")
    _git("add", ".", cwd=author)
    _git("-c", "user.name=Ed", "-c", "user.email=ed@example.org", "commit", "--quiet", "-m",
         "late", cwd=author)
    _git("push", "--quiet", "origin", "main", cwd=author)
    with smtp_server() as server:
        env = _mail_env(server.port, GITHUB_REF_NAME="main")
        results = _run_job(job, runner, env)
        assert all(r.returncode == 0 for r in results), results[-1].stderr
    subjects = _git("log", "--format=%s", "main", cwd=repository).splitlines()
    assert subjects[:2] == [subjects[0], "late"]
    assert subjects[0].startswith("feedkit: record the digest sent ")
