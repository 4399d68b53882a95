"""The site: Catalog -> Markdown pages (generator.py), published by the MkDocs
plugin (plugin.py) or written to a folder by `readlist generate`."""

from .generator import Site, SiteOptions, generate_site

__all__ = ["Site", "SiteOptions", "generate_site"]
