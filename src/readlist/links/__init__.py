"""Link rot: a catalog's URLs -> a report of each one's fate.

The public API: ``run`` (catalog -> ``Report``: collect, filter, check,
history, archive look-up), ``check`` (URLs -> results), ``LinkSettings``,
``Report``, ``LinkResult``, ``Outcome``, ``ErrorKind``. Inside:

- ``settings``: every default, endpoint and timeout, once
- ``collect``: catalog -> URLs with their places; the filter (cache,
  ``--changed``, ``--shard``)
- ``engine``: the scheduler (limits, retries, deadlines), with ``pace`` (a
  host's pace), the clients behind one interface (``transport``: the lean
  HEAD client ``fasthead``, and ``fullclient`` on httpx for the rest,
  proxies included), ``guard`` (address safety) and ``judge`` (soft 404s)
- ``policy``: canonical probes and what the answers mean
- ``cache`` (results and failure history), ``archive``, ``report`` (render a
  report; read a JSON one back), ``fix``
- ``command``: the CLI: arguments -> ``run`` -> render -> fix
"""

from __future__ import annotations

from .pipeline import check, run
from .results import ErrorKind, LinkResult, Outcome, Report
from .settings import LinkSettings

__all__ = ["ErrorKind", "LinkResult", "LinkSettings", "Outcome", "Report", "check", "run"]
