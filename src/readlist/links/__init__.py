"""Link rot: collect -> check (httpx) -> cache -> report (and --fix).

- ``collect``: Catalog -> {url: [(path, line)]}
- ``policy``: settings, per-host rules, address safety, outcome rules
- ``check``: the async engine (``Engine``, ``check_urls``), with ``fasthead``
  (lean HEAD client), ``transport`` (httpx) and ``guard`` (address safety)
- ``background``: the engine fed while the readings load (a forked process)
- ``cache``, ``report``, ``fix``, ``command`` (the two CLI subcommands)
"""
