"""Who readlist says it is on the web: one product token for every request
it makes (authoring's metadata look-ups, the link checker, the archive)."""

from __future__ import annotations

from . import __version__

USER_AGENT = f"readlist/{__version__} (+https://github.com/OWNER/readlist)"
# The link checker's: a browser's, naming readlist after it. Many sites
# answer a bare tool's user agent with 403 where a reader's browser gets
# the page, and a link is checked for readers.
BROWSER_USER_AGENT = f"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 {USER_AGENT}"
