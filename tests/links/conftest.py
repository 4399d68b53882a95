"""Fixtures: real servers on 127.0.0.1-7 (two of them TLS through trustme).
The helpers that make projects and run the CLI are in helpers.py."""

from __future__ import annotations

import ssl

import pytest
import trustme

from .helpers import PLAIN, TLS_BAD, TLS_GOOD
from .servers import Hosts


@pytest.fixture(scope="session")
def hosts(tmp_path_factory):
    ca = trustme.CA()
    contexts = {}
    for host, identity in ((TLS_GOOD, TLS_GOOD), (TLS_BAD, "wrong.example")):
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert(identity).configure_cert(context)
        contexts[host] = context
    servers = Hosts()
    servers.ca = ca  # for more servers the checker trusts (an https:// proxy)
    servers.ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(servers.ca_file))
    servers.start(PLAIN, contexts)
    yield servers
    servers.stop()
