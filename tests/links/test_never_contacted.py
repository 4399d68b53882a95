"""What the checker promises never to contact, end to end: the URL of an
entry that fails validation, a host whose rule says `skip = true`, and a URL
matching `exclude` (private addresses: test_command.py, test_proxy.py)."""

from __future__ import annotations

from .helpers import ENTRY, make_project, run_json

A = "127.0.0.1"


def test_an_entry_that_fails_validation_is_never_contacted(hosts, tmp_path):
    fine, invalid = hosts.url(A, "/ok?valid-entry"), hosts.url(A, "/ok?invalid-entry")
    make_project(tmp_path, {"fine": fine})
    broken_entry = ENTRY.format(title="bad", url=invalid).replace("tier: 1", "tier: 99")
    (tmp_path / "readings" / "entries" / "bad.yaml").write_text(broken_entry)
    done, _, by_url = run_json(tmp_path, "--no-cache", "--allow-private", A)
    assert done.returncode == 0 and "1 validation error(s)" in done.stderr, done.stderr
    assert set(by_url) == {fine} and by_url[fine]["outcome"] == "ok"
    assert hosts.times(A, "/ok?valid-entry") and not hosts.times(A, "/ok?invalid-entry")


def test_a_skipped_host_and_an_excluded_url_are_reported_not_contacted(hosts, tmp_path):
    skipped, excluded = hosts.url("127.0.0.2", "/ok?skip-rule"), hosts.url(A, "/ok?exclude-me")
    config = 'exclude = ["exclude-me"]\n\n[tool.readlist.links.hosts."127.0.0.2"]\nskip = true\n'
    make_project(tmp_path, {"skipped": skipped, "excluded": excluded}, config)
    done, _, by_url = run_json(tmp_path, "--no-cache", "--allow-private", "127.0.0.0/8")
    for url in (skipped, excluded):
        assert by_url[url]["outcome"] == "skipped" and by_url[url]["kind"] == "excluded", by_url[url]
    assert done.returncode == 0
    assert not hosts.times("127.0.0.2", "/ok?skip-rule") and not hosts.times(A, "/ok?exclude-me")
