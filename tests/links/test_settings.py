"""Settings are checked before any request: every bad value exits 2 naming
the table and the key; ROOT may be the project root or readings/."""

from __future__ import annotations

import sys

import pytest

from readlist.errors import Exit, UsageError
from readlist.links.settings import LinkSettings, SettingsError, build

from .helpers import make_project, run_cli

A = "127.0.0.1"

BAD = [
    ("concurrency = 0\n", "[tool.readlist.links] concurrency: Input should be greater than or equal to 1"),
    ('exclude = ["(unclosed"]\n', "[tool.readlist.links] exclude: bad regular expression '(unclosed'"),
    ("timeout = 0\n", "[tool.readlist.links] timeout: Input should be greater than 0"),
    ("timeout = -3\n", "[tool.readlist.links] timeout: Input should be greater than 0"),
    ("retries = -1\n", "[tool.readlist.links] retries: Input should be greater than or equal to 0"),
    ('concurrency = "many"\n', "[tool.readlist.links] concurrency: Input should be a valid integer"),
    (
        '[tool.readlist.links.hosts."x.org"]\nconcurrency = 0\n',
        '[tool.readlist.links.hosts."x.org"] concurrency: Input should be greater than or equal to 1',
    ),
    (
        '[tool.readlist.links.hosts."x.org"]\ninterval = "fast"\n',
        '[tool.readlist.links.hosts."x.org"] interval: Input should be a valid number',
    ),
    (
        '[tool.readlist.links.hosts."x.org"]\naccept = ["ok"]\n',
        '[tool.readlist.links.hosts."x.org"] accept: not statuses or ranges',
    ),
    ('max-age = "soon"\n', "[tool.readlist.links] max-age: not a duration"),
    ("max-interval = 0\n", "[tool.readlist.links] max-interval: Input should be greater than 0"),
    ('max-interval = "5s"\n', "[tool.readlist.links] max-interval: Input should be a valid number"),
    ("retry-after-cap = -1\n", "[tool.readlist.links] retry-after-cap: Input should be greater than 0"),
    ("retry-after-cap = inf\n", "[tool.readlist.links] retry-after-cap: Input should be a finite number"),
    ("max-interval = nan\n", "[tool.readlist.links] max-interval: Input should be a finite number"),
    ("interval = 6\n", "[tool.readlist.links]: interval = 6 is longer than max-interval = 5"),
    (
        'max-interval = 2\n[tool.readlist.links.hosts."x.org"]\ninterval = 10\n',
        '[tool.readlist.links]: hosts."x.org".interval = 10 is longer than max-interval = 2',
    ),
    (
        '[tool.readlist.links.hosts."x.org"]\ninterval = inf\n',
        '[tool.readlist.links.hosts."x.org"] interval: Input should be a finite number',
    ),
    ("no-such-thing = 1\n", "[tool.readlist.links] no-such-thing: no such setting"),
    ('github-token = "ghp_x"\n', "[tool.readlist.links] github-token: a token does not belong in a file"),
]


@pytest.mark.parametrize("config, message", BAD, ids=[b[0].split("\n")[-2] for b in BAD])
def test_every_bad_setting_exits_2_naming_it_before_any_request(hosts, tmp_path, config, message):
    url = hosts.url(A, f"/ok?bad-setting={len(config)}")
    make_project(tmp_path, {"entry": url}, config)
    before = hosts.count("/ok")
    done = run_cli(tmp_path, "check-links", "--no-cache", "--allow-private")
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith(f"readlist: error: pyproject.toml: {message}"), done.stderr
    assert "Traceback" not in done.stderr
    assert hosts.count("/ok") == before  # nothing was asked


def test_bad_command_line_values_name_the_option(tmp_path):
    make_project(tmp_path, {"entry": "https://example.org/"})
    for args, option in (
        (("--concurrency", "0"), "--concurrency"),
        (("--timeout", "-1"), "--timeout"),
        (("--allow-private", "not-a-net"), "--allow-private"),
        (("--exclude", "(x"), "--exclude"),
    ):
        done = run_cli(tmp_path, "check-links", "--no-cache", *args)
        assert done.returncode == 2 and f"readlist: error: {option}:" in done.stderr, done.stderr


def test_an_output_that_cannot_be_written_exits_2_before_any_request(hosts, tmp_path):
    url = hosts.url(A, "/ok?bad-output")
    make_project(tmp_path, {"entry": url})
    for output, message in (
        (tmp_path / "missing" / "r.json", f"--output: {tmp_path / 'missing'} is not a directory"),
        (tmp_path, f"--output: {tmp_path} is a directory"),
    ):
        done = run_cli(tmp_path, "check-links", "--no-cache", "--allow-private", "--output", str(output))
        assert done.returncode == 2 and done.stderr == f"readlist: error: {message}\n", done.stderr
    assert not hosts.times(A, "/ok?bad-output")  # nothing was asked


@pytest.mark.skipif(sys.platform != "linux", reason="/proc takes no new file on Linux only")
def test_a_report_that_cannot_be_written_after_the_check_exits_2_not_1(hosts, tmp_path):
    """A folder that takes no new file (here /proc, which even root cannot
    write) fails only when the report is written: that is the path the user
    named, not a link found broken, so CI must not read it as one."""
    url = hosts.url(A, "/ok?unwritable")
    make_project(tmp_path, {"entry": url})
    done = run_cli(tmp_path, "check-links", "--no-cache", "--allow-private", "--output", "/proc/readlist-report.json")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("readlist: error: cannot write the report to /proc/readlist-report.json:")
    assert hosts.times(A, "/ok?unwritable")  # the check ran


def test_a_host_table_sets_its_own_interval_and_concurrency_even_to_the_smallest():
    """A host's value, when given, is the host's: `interval = 0` lifts the
    global interval for that host (it was read as "not set"); left out, the
    global value applies."""
    settings = build(
        {"interval": 2, "per-host": 4, "hosts": {"fast.org": {"interval": 0, "concurrency": 1}, "x.org": {}}}
    )
    assert settings.host_interval("fast.org") == 0 and settings.host_interval("api.fast.org") == 0
    assert settings.host_concurrency("fast.org") == 1
    assert settings.host_interval("x.org") == 2 and settings.host_concurrency("x.org") == 4
    assert settings.host_interval("other.org") == 2


def test_defaults_live_in_the_model_and_the_help_reads_them(tmp_path):
    assert LinkSettings().concurrency == 128 and build({}).per_host == 10
    done = run_cli(tmp_path, "check-links", "--help")
    assert "(default 128)" in done.stdout and "(default 10)" in done.stdout and "(default 3d)" in done.stdout
    with pytest.raises(SettingsError, match=r"--retries: Input should be greater than or equal to 0") as raised:
        build({"retries": 1}, {"retries": -1})
    assert isinstance(raised.value, UsageError) and raised.value.exit_code is Exit.USAGE  # a library caller's exit 2


@pytest.mark.parametrize("command", ["check-links", "validate"])
def test_root_may_be_the_project_or_readings_and_an_empty_root_is_an_error(hosts, tmp_path, command):
    url = hosts.url(A, "/ok?roots")
    make_project(tmp_path, {"entry": url})
    extra = ["--no-cache", "--allow-private"] if command == "check-links" else []
    for root in (".", "readings", str(tmp_path), str(tmp_path / "readings")):
        done = run_cli(tmp_path, command, root, *extra)
        assert done.returncode == 0, (root, done.stdout, done.stderr)
        if command == "check-links":  # the one URL was found and checked
            assert any(line.split() == ["ok", "1"] for line in done.stdout.splitlines()), done.stdout
    done = run_cli(tmp_path, command, *extra)  # no ROOT: the current folder, a project root
    assert done.returncode == 0, done.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    done = run_cli(empty, command, ".", *extra)
    assert done.returncode == 2 and "has no readings" in done.stderr, done.stderr
    done = run_cli(tmp_path, command, "nowhere", *extra)
    assert done.returncode == 2 and "is not a directory" in done.stderr
