"""The sdist and wheel as a user gets them: built from a clean copy of the tracked
files, passing `twine check`, and the wheel alone (in a new venv that borrows the
already-installed dependencies, never this source tree) runs `readlist init` and
builds the new site with `mkdocs build --strict`. The action's install step
installs a `version:` of it from a package index (on loopback)."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import sysconfig
import threading
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import readlist

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str | Path, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """`python -m build` (sdist, then the wheel built from that sdist) of the tracked files."""
    src = tmp_path_factory.mktemp("src")
    files = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).stdout
    for name in filter(None, files.split("\0")):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    out = tmp_path_factory.mktemp("dist")
    done = run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, src)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def test_sdist_and_wheel_pass_twine_check(dist):
    built = sorted(p.name for p in dist.iterdir())
    version = readlist.__version__
    assert built == [f"readlist-{version}-py3-none-any.whl", f"readlist-{version}.tar.gz"]
    done = run(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()))
    assert done.returncode == 0, done.stdout + done.stderr


def test_wheel_metadata_and_contents(dist):
    wheel = next(dist.glob("*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        meta = Parser().parsestr(zf.read(f"readlist-{readlist.__version__}.dist-info/METADATA").decode())
    assert meta["Version"] == readlist.__version__  # the one place: readlist.__version__
    assert meta["License-Expression"] == "MIT"
    assert f"readlist-{readlist.__version__}.dist-info/licenses/LICENSE" in names
    assert any(url.startswith("Repository, https://github.com/") for url in meta.get_all("Project-URL"))
    assert "Programming Language :: Python :: 3.13" in meta.get_all("Classifier")
    template = ROOT / "src" / "readlist" / "scaffold" / "template"
    shipped = {
        f"readlist/scaffold/template/{p.relative_to(template).as_posix()}"
        for p in template.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert shipped and shipped <= names
    for folder in ("site/templates", "site/assets"):
        files = {f"readlist/{folder}/{p.name}" for p in (ROOT / "src" / "readlist" / folder).iterdir() if p.is_file()}
        assert files and files <= names


def test_a_venv_with_only_the_wheel_builds_a_fresh_init(dist, tmp_path):
    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", "--without-pip", venv).returncode == 0
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = Path(shutil.which("python", path=str(bin_dir)) or bin_dir / "python")
    # the dependencies already installed here, as a plain path entry: its .pth files
    # (such as the editable install of this source tree) are not processed
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    wheel = next(dist.glob("*.whl"))
    done = run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel)
    assert done.returncode == 0, done.stdout + done.stderr
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    console = shutil.which("readlist", path=str(bin_dir))
    assert console, "the wheel installed no `readlist` console script"

    where = run(python, "-c", "import readlist; print(readlist.__file__)", cwd=tmp_path, env=env).stdout
    assert where.startswith(str(site)), where  # the wheel's copy, not this source tree
    version = run(console, "--version", cwd=tmp_path, env=env)
    assert version.stdout.strip() == f"readlist {readlist.__version__}"

    done = run(console, "init", "site-from-wheel", "--title", "From the wheel", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    project = tmp_path / "site-from-wheel"
    done = run(console, "validate", "--strict", cwd=project, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    done = run(python, "-m", "mkdocs", "build", "--strict", cwd=project, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    home = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert "From the wheel" in home
    assert list((project / "site").rglob("readlist.css")) and list((project / "site").rglob("readlist.js"))


def _venv_with_dependencies(tmp_path: Path) -> tuple[Path, Path]:
    """A new venv (no pip of its own) that sees every package installed here
    except readlist: pip and the dependencies are already satisfied, so what
    it installs of readlist can only come from where it is told to look."""
    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", "--without-pip", venv).returncode == 0
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = Path(shutil.which("python", path=str(bin_dir)) or bin_dir / "python")
    borrowed = tmp_path / "borrowed"
    borrowed.mkdir()
    for item in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not item.name.lower().startswith(("readlist", "__editable__")):
            (borrowed / item.name).symlink_to(item)
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    (site / "borrowed-dependencies.pth").write_text(f"{borrowed}\n")
    return bin_dir, python


@pytest.mark.skipif(os.name == "nt", reason="runs the action's bash step; POSIX only")
def test_the_actions_install_step_installs_a_version_from_the_package_index(dist, tmp_path):
    # A PEP 503 index with the built sdist and wheel, served on loopback.
    files = tmp_path / "index" / "simple" / "readlist"
    files.mkdir(parents=True)
    links = []
    for built in sorted(dist.iterdir()):
        shutil.copy2(built, files / built.name)
        links.append(f'<a href="{built.name}">{built.name}</a>')
    (files / "index.html").write_text("<!DOCTYPE html><html><body>" + "".join(links) + "</body></html>")
    asked: list[str] = []

    class Index(http.server.SimpleHTTPRequestHandler):
        def log_message(self, fmt, *args):
            asked.append(self.path)

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Index, directory=str(tmp_path / "index"))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    bin_dir, python = _venv_with_dependencies(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON")) and k != "VIRTUAL_ENV"}
    env |= {
        "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}",
        "SOURCE": str(tmp_path / "not-this-source"),
        "PIP_INDEX_URL": f"http://127.0.0.1:{server.server_address[1]}/simple/",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_CACHE_DIR": "1",
        "PIP_NO_INPUT": "1",
    }
    script = ROOT / "scripts" / "action-install.sh"
    try:
        missing = run("bash", script, cwd=tmp_path, env=env | {"VERSION": "0.0.1"})
        done = run("bash", script, cwd=tmp_path, env=env | {"VERSION": readlist.__version__})
    finally:
        server.shutdown()
    # A version the index does not have fails the step, loudly.
    assert missing.returncode != 0
    assert "readlist==0.0.1" in missing.stderr
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == f"readlist {readlist.__version__}"
    assert f"/simple/readlist/readlist-{readlist.__version__}-py3-none-any.whl" in asked
    where = run(python, "-c", "import readlist; print(readlist.__file__)", cwd=tmp_path, env=env).stdout
    assert where.startswith(str(bin_dir.parent)), where  # installed into the venv, from the index
