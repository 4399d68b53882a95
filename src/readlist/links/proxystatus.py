"""Who made an answer that came through a forward proxy: the site, or an
intermediary reporting why it has none.

Over plain HTTP a forward proxy's own 502 looks like the site's, and so does
its answer to a refused CONNECT. An error answer (4xx/5xx) is believed to be
an intermediary's own when the nearest intermediary says so: the last member
of RFC 9209's ``Proxy-Status`` (each intermediary appends its own) carries an
``error`` parameter (it "encountered an issue when obtaining this response";
one that forwarded the answer says ``received-status`` instead, and then any
error an earlier member reports is the site's own CDN's, part of the site's
answer). squid's ``X-Squid-Error`` is believed only on an answer to CONNECT,
which can only come from our proxy: a site may run squid as its own reverse
proxy, and its error pages are the site's answer. ``Via`` (RFC 9110) is added
to forwarded answers as well as to made ones, so it tells nothing; an answer
without such a header stays the site's, reported "via proxy".

The error named says what failed. The next hop (DNS, connection, TLS, a
timeout, a broken answer) is the site's failure as the proxy saw it, so it
gets the kind a direct check would give, and counts in the URL's history.
The intermediary itself (its policy, configuration, limits or internals)
is kind ``proxy``: the link was not checked. The intermediary's own words
(its name, ``details``, the squid error) go into reports and the public
weekly issue, so they are cut to a short, printable form. Importable without
httpcore, so it is tested on its own.
"""

from __future__ import annotations

import re

from .results import ErrorKind

# RFC 9209 section 2.3 error types -> (kind, worth another attempt).
_RFC9209 = {
    "dns_timeout": (ErrorKind.DNS, True), "dns_error": (ErrorKind.DNS, False),
    "destination_not_found": (ErrorKind.DNS, False),
    "destination_unavailable": (ErrorKind.CONNECT, True), "destination_ip_unroutable": (ErrorKind.CONNECT, True),
    "connection_refused": (ErrorKind.CONNECT, True), "connection_terminated": (ErrorKind.RESET, True),
    "connection_timeout": (ErrorKind.TIMEOUT, True), "connection_read_timeout": (ErrorKind.TIMEOUT, True),
    "connection_write_timeout": (ErrorKind.TIMEOUT, True), "http_response_timeout": (ErrorKind.TIMEOUT, True),
    "tls_protocol_error": (ErrorKind.TLS, False), "tls_certificate_error": (ErrorKind.TLS, False),
    "tls_alert_received": (ErrorKind.TLS, False),
    "http_response_incomplete": (ErrorKind.PROTOCOL, True), "http_protocol_error": (ErrorKind.PROTOCOL, False),
    # the intermediary's own policy or set-up: another attempt gets the same answer
    "http_request_denied": (ErrorKind.PROXY, False), "destination_ip_prohibited": (ErrorKind.PROXY, False),
    "http_request_error": (ErrorKind.PROXY, False), "proxy_configuration_error": (ErrorKind.PROXY, False),
    "proxy_loop_detected": (ErrorKind.PROXY, False),
}
# squid's error page names (the first word of X-Squid-Error) -> (kind, worth another attempt).
_SQUID = {
    "ERR_DNS_FAIL": (ErrorKind.DNS, False), "ERR_CONNECT_FAIL": (ErrorKind.CONNECT, True),
    "ERR_READ_TIMEOUT": (ErrorKind.TIMEOUT, True), "ERR_LIFETIME_EXP": (ErrorKind.TIMEOUT, True),
    "ERR_SECURE_CONNECT_FAIL": (ErrorKind.TLS, False), "ERR_READ_ERROR": (ErrorKind.RESET, True),
    "ERR_WRITE_ERROR": (ErrorKind.RESET, True), "ERR_ZERO_SIZE_OBJECT": (ErrorKind.RESET, True),
    "ERR_INVALID_RESP": (ErrorKind.PROTOCOL, False), "ERR_ACCESS_DENIED": (ErrorKind.PROXY, False),
    "ERR_CACHE_ACCESS_DENIED": (ErrorKind.PROXY, False), "ERR_FORWARDING_DENIED": (ErrorKind.PROXY, False),
}
# Statuses at which any other trouble of the intermediary's own may pass.
_TRANSIENT = frozenset({408, 429, 500, 502, 503, 504})


def _split(text: str, separator: str) -> list[str]:
    """`text` split at `separator` outside quoted strings (RFC 8941 lists
    and parameters, read leniently: a malformed field is still split)."""
    parts, start, quoted, escaped = [], 0, False, False
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append(text[start:index].strip())
            start = index + 1
    parts.append(text[start:].strip())
    return parts


def _bare(value: str) -> str:
    """A token as is, a quoted string without its quotes and escapes."""
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def _short(text: str, limit: int = 60) -> str:
    """An intermediary's own words as they may appear in a public report:
    printable ASCII, one line, at most `limit` characters."""
    text = " ".join("".join(c if " " <= c <= "~" else " " for c in text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def proxy_status_error(value: str) -> tuple[str, str, str | None] | None:
    """(intermediary, error type, details) when the last ``Proxy-Status``
    member (the intermediary nearest to us) reports an error; None when it
    does not (it forwarded the answer, whatever an earlier member says)."""
    name, *params = _split(_split(value, ",")[-1], ";")
    fields = {key.strip().lower(): _bare(text.strip()) for key, _, text in (p.partition("=") for p in params)}
    if not fields.get("error"):
        return None
    details = fields.get("details")
    return _short(_bare(name)) or "an intermediary", _short(fields["error"]), _short(details) if details else None


def generated(status: int, headers: dict[str, str], connect: bool = False) -> tuple[ErrorKind, str, bool] | None:
    """(kind, what the intermediary says, worth another attempt) when an
    intermediary says it made this error answer itself; None when nothing
    says so (`headers`: lower-case names; `connect`: the answer to our
    CONNECT, so our proxy's own)."""
    if status < 400:
        return None  # an answer that works is the site's, whatever a header says
    if value := headers.get("proxy-status"):
        reported = proxy_status_error(value)
        if reported:
            name, error, details = reported
            if error in _RFC9209:
                kind, retry = _RFC9209[error]
            elif error.startswith("http_response_"):  # header/body/trailer sizes, content codings
                kind, retry = ErrorKind.PROTOCOL, False
            else:
                kind, retry = ErrorKind.PROXY, status in _TRANSIENT
            return kind, f"{name}: {error}" + (f" ({details})" if details else ""), retry
    if connect and (value := headers.get("x-squid-error")):
        kind, retry = _SQUID.get(value.split(" ", 1)[0], (ErrorKind.PROXY, status in _TRANSIENT))
        return kind, f"squid: {_short(value)}", retry
    return None
