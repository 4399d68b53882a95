"""`plugins: [readlist]`: thin MkDocs glue around the site generator.

* on_config: adds the Markdown extensions the pages use and the CSS/JS.
* on_files: loads `readings/`, reports problems through the plugin logger
  as `file:line:col: severity: message`, generates the pages and adds them
  (and the downloads and assets) with `File.generated`; builds the nav when
  mkdocs.yml has none.
* on_env: serves templates/theme_main.html as the theme's main.html (the
  head tags of a reading's page), unless the site's custom_dir has its own.
* on_page_context: previous / next links stay inside their tab.
* on_post_build: writes the Pagefind search index into the built site (also
  under `mkdocs serve`), one record per reading and the other pages
  (searchindex.py); the site's search box (search.js) reads it.
* on_serve: watches `readings/`, which lives outside `docs_dir`.

Errors fail `mkdocs build` (warnings fail it under `--strict`); under
`mkdocs serve` they are logged and the site is built from the valid files, so
the server keeps running until the YAML is fixed.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import jinja2
from markupsafe import Markup
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure import StructureItem
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from ..errors import ReadlistError
from ..models import DEFAULT_WPM, NEW_DAYS, Catalog
from .buildconfig import EXTENSIONS  # one home: generate's configs name them too
from .generator import SECTIONS, Builder, Site, SiteOptions

log = get_plugin_logger(__name__)


class _Sections(base.Config):
    reading_path = c.Type(bool, default=True)
    lists = c.Type(bool, default=True)
    tags = c.Type(bool, default=True)
    stats = c.Type(bool, default=True)
    downloads = c.Type(bool, default=True)
    authors = c.Type(bool, default=True)


class ReadlistConfig(base.Config):
    readings = c.Type(str, default="readings")
    words_per_minute = c.Type(int, default=DEFAULT_WPM)
    new = c.Optional(c.Type((int, str, dt.date)))  # days, or a date; default NEW_DAYS
    since = c.Optional(c.Type((str, dt.date)))  # the list's first import; default: earliest `added`
    sections = c.SubConfig(_Sections)
    intro = c.Optional(c.Type(str))
    nav = c.Type(bool, default=True)  # build the nav when mkdocs.yml has none


class ReadlistPlugin(BasePlugin[ReadlistConfig]):
    def __init__(self) -> None:
        self.command = "build"
        self.sources: set[str] = set()
        self.has_feed = False
        self.readings_dir: Path | None = None
        self._user_nav = False
        self._built_nav = False
        self._catalog: Catalog | None = None  # from on_files to on_post_build, then let go

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Having on_startup keeps one plugin instance across `serve` rebuilds.
        self.command = command

    # -- config -------------------------------------------------------------
    def _readings_dir(self, config: MkDocsConfig) -> Path:
        root = Path(self.config.readings)
        if not root.is_absolute() and config.config_file_path:
            root = Path(os.path.dirname(os.path.abspath(config.config_file_path))) / root
        return root

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if self.config.words_per_minute <= 0:
            raise PluginError("readlist: 'words_per_minute' must be more than zero")
        for ext in EXTENSIONS:
            if ext not in config.markdown_extensions:
                config.markdown_extensions.append(ext)
        for css in Site.asset_paths():
            if css.endswith(".css") and css not in config.extra_css:
                config.extra_css.append(css)
        js = [p for p in Site.asset_paths() if p.endswith(".js")]
        for path in js:
            if path not in [str(s) for s in config.extra_javascript]:
                config.extra_javascript.append(path)
        for other in ("search", "material/search"):
            if other in config.plugins:
                log.warning(
                    f"the site's search is Pagefind's (the readlist plugin writes its index); "
                    f"remove '{other}' from plugins in mkdocs.yml, or the header shows two search boxes"
                )
        self.readings_dir = self._readings_dir(config)
        self._user_nav = config.nav is not None
        return config

    # -- files ----------------------------------------------------------------
    def _options(self, config: MkDocsConfig) -> SiteOptions:
        new = self.config.new if self.config.new is not None else NEW_DAYS
        assert isinstance(new, int | str | dt.date)  # what the config option accepts
        try:
            cutoff = SiteOptions.new_cutoff(new)
        except ValueError:
            raise PluginError(f"readlist: 'new' must be a number of days or a date, not {new!r}") from None
        since = self.config.since
        if since is not None and not isinstance(since, dt.date):
            try:
                since = dt.date.fromisoformat(str(since))
            except ValueError:
                raise PluginError(f"readlist: 'since' must be a date such as 2025-01-31, not {since!r}") from None
        sections = {name: bool(self.config.sections.get(name, True)) for name in SECTIONS}
        return SiteOptions(
            words_per_minute=self.config.words_per_minute,
            new_since=cutoff,
            since=since,
            sections=sections,
            url_style="directory" if config.use_directory_urls else "html",
            site_name=config.site_name,
            site_url=config.site_url or None,
            intro=self.config.intro,
        )

    def _load(self) -> Catalog:
        from ..loading import load

        assert self.readings_dir is not None
        if not self.readings_dir.is_dir():
            raise PluginError(f"readlist: readings directory not found: {self.readings_dir}")
        loaded = load(self.readings_dir)
        for d in loaded.diagnostics:
            (log.error if d.severity == "error" else log.warning)(d.text())
        if loaded.errors:
            summary = f"{len(loaded.errors)} error(s) in {self.readings_dir}"
            if self.command == "serve":
                log.error(f"{summary}; showing the valid files until they are fixed")
            else:
                raise PluginError(f"readlist: {summary}")
        return loaded.catalog

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        start = time.perf_counter()
        catalog = self._load()
        builder = Builder(catalog, self._options(config))
        plan = builder.plan()
        downloads = builder.download_plan()

        listed = builder.nav_sources

        def add(src: str, render: Callable[[], str]) -> None:
            if files.get_file_from_path(src) is not None:
                log.info(f"{src} in docs_dir replaces the generated page")
                return
            # A reading's page and a page 2 are reached from the pages, not the nav.
            inclusion = (
                InclusionLevel.UNDEFINED if src in listed or not src.endswith(".md") else InclusionLevel.NOT_IN_NAV
            )
            files.append(File.generated(config, src, content=render(), inclusion=inclusion))

        for src, _, render in plan:
            add(src, render)
        for src, render in downloads.items():
            add(src, render)
        for src, path in Site.asset_paths().items():
            if files.get_file_from_path(src) is None:
                files.append(File.generated(config, src, abs_src_path=str(path)))
        self.sources = {src for src, _, _ in plan}
        self._catalog = catalog
        self.has_feed = "feed.xml" in downloads
        self._built_nav = bool(self.config.nav and not self._user_nav)
        if self._built_nav:
            config.nav = builder.nav_for(plan) + self._other_pages(files, self.sources)
        log.debug(f"{len(catalog.entries)} entries -> {len(plan)} pages in {time.perf_counter() - start:.2f}s")
        return files

    @staticmethod
    def _other_pages(files: Files, generated: set[str]) -> list[str]:
        """Hand-written pages in docs_dir, after the generated ones."""
        return sorted(
            f.src_uri
            for f in files.documentation_pages()
            if f.src_uri not in generated and f.inclusion is not InclusionLevel.EXCLUDED
        )

    # -- pages ------------------------------------------------------------------
    def on_env(self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        """Serve templates/theme_main.html as main.html: what a page's head
        carries beyond the theme's (the citation_* tags of a reading's page).
        A custom_dir with a main.html of its own keeps it."""
        custom = config.theme.custom_dir
        if custom and os.path.isfile(os.path.join(custom, "main.html")):
            log.info("custom_dir has its own main.html: readings' pages get no citation tags")
            return env
        source = resources.files(__package__).joinpath("templates", "theme_main.html").read_text(encoding="utf-8")
        override = jinja2.DictLoader({"main.html": source})
        assert env.loader is not None
        env.loader = jinja2.ChoiceLoader([override, env.loader])
        return env

    def on_page_context(
        self, context: TemplateContext, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext:
        """Previous / next stay inside a tab of the nav the plugin built: the
        Topics overview is not preceded by "Tier 4+", and Stats does not lead
        to Tags' neighbour in another section."""
        if self._built_nav:
            here = _tab(page)
            if page.previous_page is not None and _tab(page.previous_page) is not here:
                page.previous_page = None
            if page.next_page is not None and _tab(page.next_page) is not here:
                page.next_page = None
        return context

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """A generated page's title is already HTML (`generator.page_title`),
        as Material writes it raw into the nav and <title>; marked safe, it is
        not escaped a second time where Material does escape it (the footer's
        aria-label of the next and previous pages)."""
        if page.file.src_uri in self.sources and page.title:
            page.title = Markup(page.title)
        return markdown

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        """Point feed readers at the Atom feed from every page."""
        if not self.has_feed:
            return output
        href = _relative(page.url, "feed.xml")
        link = (
            f'<link rel="alternate" type="application/atom+xml" '
            f'title="{html.escape(config.site_name)}: latest additions" href="{href}">'
        )
        return output.replace("</head>", link + "</head>", 1)

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Index the built site for search (under `serve` too: the box works there)."""
        from .searchindex import index_site

        catalog, self._catalog = self._catalog, None
        if catalog is None:
            return
        start = time.perf_counter()
        try:
            done = index_site(
                Path(config.site_dir),
                catalog,
                words_per_minute=self.config.words_per_minute,
                url_style="directory" if config.use_directory_urls else "html",
            )
        except ReadlistError as err:
            raise PluginError(f"readlist: search index: {err}") from None
        log.debug(f"search index: {done.readings} readings, {done.pages} pages in {time.perf_counter() - start:.2f}s")

    # -- serve --------------------------------------------------------------------
    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Callable[..., object]
    ) -> LiveReloadServer:
        if self.readings_dir is not None and self.readings_dir.is_dir():
            server.watch(str(self.readings_dir))
        return server


def _tab(page: Page) -> StructureItem:
    """The top-level nav item a page belongs to (its tab under navigation.tabs)."""
    top: StructureItem = page
    while top.parent is not None:
        top = top.parent
    return top


def _relative(page_url: str, target: str) -> str:
    from mkdocs.utils import get_relative_url

    return get_relative_url(target, page_url or ".")
