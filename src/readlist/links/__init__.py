"""Link rot: collect -> check (httpx) -> cache -> report (and --fix).

- ``collect``: Catalog -> {url: [(path, line)]}
- ``policy``: settings, per-host rules, address safety, outcome rules
- ``check``: the async engine (``check_urls``)
- ``cache``, ``report``, ``fix``, ``command`` (the two CLI subcommands)
"""
