"""What another generator needs to rebuild the plugin's site from the pages
that `readlist generate` writes: the nav, the Markdown extensions, the CSS and
JS to name, and local fonts.

Why: MkDocs 1.x ends with 1.6 and its successor Zensical reads `mkdocs.yml` or
`zensical.toml` but runs no MkDocs plugin. Without these settings a build of
the generated folder falls back to folder names in alphabetical order, misses
the filters and progress (readlist.css/js) and asks a font CDN for the theme's
fonts. The nav comes from `Site.nav`, which is the nav the plugin installs
(`Builder.nav_for`), so there is one home for it.

Two outputs:
* a fragment (`FRAGMENT` in the output folder, YAML in `mkdocs.yml` form) with
  only those settings, for a config of one's own (`INHERIT:` it, or copy it);
* a complete config, `mkdocs.yml` or `zensical.toml` by the file name's suffix,
  with a theme override (`THEME_DIR/main.html` in the output folder, from
  templates/theme_main.html, which the plugin uses too) that adds to each
  page's head the feed's `<link rel="alternate">` and, on a reading's page,
  its citation_* / Open Graph tags.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any

import tomli_w
import yaml

from ..errors import UsageError
from .generator import Site

FRAGMENT = ".readlist-config.yml"  # a dot file: neither MkDocs nor Zensical publishes it
THEME_DIR = ".readlist-theme"  # custom_dir of the full config: citation tags, the feed's <link>
# What the pages need from Python-Markdown: `{ #id .class }` on headings and
# Markdown inside the entry cards' HTML. The plugin adds the same two.
EXTENSIONS = ("attr_list", "md_in_html")
# Pages reached from the pages, not the nav (a reading's own page, the later
# parts of a split page): MkDocs would list each one as "not in the nav".
NOT_IN_NAV = (
    "\n".join(
        (
            "/readings/",
            "/topics/*/page-*.md",
            "/reading-path/*/page-*.md",
            "/lists/*/page-*.md",
            "/authors/page-*.md",
            "/tags/page-*.md",
        )
    )
    + "\n"
)
# Material's look as in the project's mkdocs.yml; the features only change the
# chrome, never what a page holds.
FEATURES = [
    "navigation.tabs",
    "navigation.sections",
    "navigation.indexes",
    "navigation.top",
    "navigation.footer",
    "toc.follow",
]
PALETTE = [
    {
        "media": "(prefers-color-scheme: light)",
        "scheme": "default",
        "primary": "indigo",
        "accent": "indigo",
        "toggle": {"icon": "material/weather-night", "name": "Switch to dark mode"},
    },
    {
        "media": "(prefers-color-scheme: dark)",
        "scheme": "slate",
        "primary": "indigo",
        "accent": "light blue",
        "toggle": {"icon": "material/weather-sunny", "name": "Switch to light mode"},
    },
]


class ConfigError(UsageError):
    """A config that cannot be written as asked (the message says why). Exit 2."""


def config_format(path: Path) -> str:
    """'toml' (zensical.toml) or 'yaml' (mkdocs.yml), from the file's suffix."""
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return "toml"
    if suffix in (".yml", ".yaml"):
        return "yaml"
    raise ConfigError(f"--config: {path} must end in .toml (zensical.toml) or .yml (mkdocs.yml)")


def hand_written_pages(out: Path, site: Site) -> list[str]:
    """Markdown pages already in `out` that the generator did not write (a
    copied `docs/contributing.md`, say), sorted: the plugin lists docs_dir pages
    the same way, after the generated ones."""
    if not out.is_dir():
        return []
    generated = set(site.pages)
    found = []
    for path in out.rglob("*.md"):
        rel = path.relative_to(out).as_posix()
        if rel not in generated and not any(part.startswith(".") for part in PurePosixPath(rel).parts):
            found.append(rel)
    return sorted(found)


def fragment(site: Site, extra_pages: list[str] | None = None) -> dict[str, Any]:
    """The settings the generated pages need, in `mkdocs.yml` form (paths are
    relative to the docs folder)."""
    assets = list(Site.asset_paths())
    return {
        "nav": [*site.nav, *(extra_pages or [])],
        "not_in_nav": NOT_IN_NAV,
        "markdown_extensions": [*EXTENSIONS, {"toc": {"permalink": True}}],
        "extra_css": [p for p in assets if p.endswith(".css")],
        "extra_javascript": [p for p in assets if p.endswith(".js")],
        "theme": {"name": "material", "font": False},
    }


def docs_dir_setting(config_path: Path, docs_dir: Path) -> str:
    """`docs_dir` as the config at `config_path` names it. Zensical reads only
    a docs_dir inside the config's folder (and never the folder itself)."""
    root = config_path.resolve().parent
    docs = docs_dir.resolve()
    if not docs.is_relative_to(root):
        raise ConfigError(
            f"--config: {config_path} must be in a folder that holds --out {docs_dir} "
            "(generators read docs_dir from inside the config's folder)"
        )
    if docs == root:
        raise ConfigError(f"--config: {config_path} cannot sit inside --out {docs_dir} itself")
    return Path(os.path.relpath(docs, root)).as_posix()


def full_config(
    site: Site,
    config_path: Path,
    docs_dir: Path,
    *,
    site_name: str,
    site_url: str | None,
    extra_pages: list[str] | None = None,
    url_style: str = "directory",
) -> dict[str, Any]:
    """A complete config in `mkdocs.yml` form for `docs_dir`, written at
    `config_path`. Zensical wants docs_dir inside the config's folder."""
    parts = fragment(site, extra_pages)
    config: dict[str, Any] = {"site_name": site_name}
    if site_url:
        config["site_url"] = site_url
    config["docs_dir"] = docs_dir_setting(config_path, docs_dir)
    # The theme override puts the readings' citation tags (and the feed's link) in the head.
    parts["theme"] = {"custom_dir": f"{config['docs_dir']}/{THEME_DIR}", **parts["theme"]}
    if "feed.xml" in site.files:
        config["extra"] = {"readlist_feed": True}
    config["site_dir"] = "site"
    if url_style == "html":
        config["use_directory_urls"] = False  # the pages link to page.html
    config["theme"] = {
        **parts.pop("theme"),
        "variant": "classic",  # Zensical: the Material for MkDocs look (MkDocs ignores it)
        "features": list(FEATURES),
        "palette": [dict(p) for p in PALETTE],
    }
    config.update(parts)
    # The search is Pagefind's (`readlist search-index` after the build); the
    # generator's own would add a second box.
    config["plugins"] = {"search": {"enabled": False}}
    return config


# -- writing ------------------------------------------------------------------


def to_yaml(config: dict[str, Any], header: str) -> str:
    body = yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=1000)
    return "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) + body


def to_toml(config: dict[str, Any], header: str) -> str:
    """`zensical.toml`: everything under `[project]`, the theme in
    `[project.theme]` with its palette as `[[project.theme.palette]]`, and the
    Markdown extensions as a table of tables (Zensical's own form)."""
    project = dict(config)
    theme = dict(project.pop("theme", {}))
    theme.pop("name", None)  # Zensical's theme is Material's successor already
    extensions = project.pop("markdown_extensions", [])
    if theme:
        project["theme"] = theme
    if extensions:
        project["markdown_extensions"] = dict(
            (ext, {}) if isinstance(ext, str) else next(iter(ext.items())) for ext in extensions
        )
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comment + tomli_w.dumps({"project": project}, indent=2)


def render(config: dict[str, Any], fmt: str, header: str) -> str:
    return to_toml(config, header) if fmt == "toml" else to_yaml(config, header)


FRAGMENT_HEADER = """\
Written by `readlist generate`: what a generator needs to build these pages
as the readlist plugin does (nav in topic order, extensions, CSS/JS, local
fonts). Use it from a mkdocs.yml next to this folder with
`INHERIT: {docs}/{name}`, or copy the keys. For Zensical, generate with
`--urls md` (it resolves links to .md files itself). After the build, run
`readlist search-index SITE_DIR` for the search (the plugin does it itself).
Turn the generator's own search off (plugins: search: enabled: false).
Regenerated on every run."""

CONFIG_HEADER = """\
Written by `readlist generate --config`: builds the pages in {docs}/ as the
readlist plugin does: {build}, then
`{index}` for the search.
`readlist generate` replaces this file only with --force."""


def check_target(config_path: Path | None, out: Path, *, force: bool) -> str | None:
    """Before anything is written: the config's format, and never silently
    overwrite a config of the user's. Raises ConfigError; returns the format."""
    if config_path is None:
        return None
    fmt = config_format(config_path)
    if config_path.is_dir():
        raise ConfigError(f"--config: {config_path} is a folder, not a file")
    if config_path.exists() and not force:
        raise ConfigError(
            f"--config: {config_path} exists; not replacing it (pass --force to overwrite it, "
            f"or use the settings in {out / FRAGMENT})"
        )
    docs_dir_setting(config_path, out)
    return fmt


def write_build_config(
    site: Site,
    out: Path,
    config_path: Path | None,
    *,
    site_name: str,
    site_url: str | None,
    url_style: str = "directory",
) -> list[Path]:
    """Write the fragment into `out` and, when asked, the full config; return
    the paths written. Call `check_target` first."""
    from ..files import atomic_write

    extra = hand_written_pages(out, site)
    frag = out / FRAGMENT
    atomic_write(frag, to_yaml(fragment(site, extra), FRAGMENT_HEADER.format(docs=out.name, name=FRAGMENT)))
    written = [frag]
    if config_path is not None:
        fmt = config_format(config_path)
        config = full_config(
            site, config_path, out, site_name=site_name, site_url=site_url, extra_pages=extra, url_style=url_style
        )
        if url_style == "md":
            build = f"`zensical build -f {config_path.name}`"
        else:  # Zensical would take the page/ links as relative to the source file
            build = f"`mkdocs build -f {config_path.name}` (for Zensical, generate with `--urls md`)"
        index = "readlist search-index site" + (" --urls html" if url_style == "html" else "")
        header = CONFIG_HEADER.format(docs=config["docs_dir"], build=build, index=index)
        if "custom_dir" in config["theme"]:
            theme = out / THEME_DIR / "main.html"
            theme.parent.mkdir(exist_ok=True)
            atomic_write(
                theme, resources.files(__package__).joinpath("templates", "theme_main.html").read_text(encoding="utf-8")
            )
            written.append(theme)
        config_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(config_path, render(config, fmt, header))
        written.append(config_path)
    return written
