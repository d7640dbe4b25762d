"""Harvest sources are checked when they are saved (docs/security.md H7/H8):
ckanext-harvest's URL validator only checks uniqueness, so a source could
be ``/etc/passwd``, ``file:///...`` or ``http://127.0.0.1/``. Every source,
whatever its type, must be an http(s) URL whose host, when it is an address
(or ``localhost``), is public or allow-listed in
``ckanext.smartcity.harvest.allowed_networks``. Host names are not resolved
here (the portal may have no DNS at save time); :mod:`.fetch` checks every
address again on every request."""
from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.smartcity import net

_LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def _literal_address(host: str) -> str | None:
    """The address a host written as an address stands for: dotted,
    bracketed IPv6, the loopback names, or the decimal/hex/octal forms that
    resolvers accept (``2130706433``, ``0x7f.1``); None for a name."""
    try:
        # as the resolver will see it: IDNA-mapped ("①②⑦.0.0.1" is 127.0.0.1),
        # without the root's trailing dot
        host = host.encode("idna").decode("ascii").rstrip(".").lower()
    except UnicodeError:
        return None
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return "127.0.0.1"
    try:
        # the C library's reading, as the resolver applies it ("2130706433",
        # "0x7f.1", "0177.0.0.01" are 127.0.0.1)
        return socket.inet_ntoa(socket.inet_aton(host))
    except OSError:
        return None


def url_problem(url: Any, policy: net.Policy) -> str | None:
    """Why ``url`` may not be a harvest source, or None."""
    text = str(url or "").strip()
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        parts, host = None, None
    if not parts or parts.scheme not in ("http", "https") or not host:
        return tk._("A harvest source must be an http:// or https:// address; local files "
                    "and other schemes are never read.")
    address = _literal_address(host)
    if address and not net.public_or_allowed(address, policy):
        return tk._("This address is private or local; it can be harvested only when "
                    "ckanext.smartcity.harvest.allowed_networks allows it.")
    return None


def _check(data_dict: dict) -> None:
    if (problem := url_problem(data_dict.get("url"), net.Policy.from_config(tk.config))):
        raise tk.ValidationError({"url": [problem]})


def _is_source(data_dict: dict) -> bool:
    if data_dict.get("type") == "harvest" or data_dict.get("source_type"):
        return True
    ref = data_dict.get("id") or data_dict.get("name")
    package = model.Package.get(ref) if isinstance(ref, str) and ref else None
    return package is not None and package.type == "harvest"


def _checked(name: str, always: bool):
    def action(original_action, context, data_dict):
        if "url" in data_dict and (always or _is_source(data_dict)):
            # who may not save the source learns that first, not the URL rules
            tk.check_access(name, context, data_dict)
            _check(data_dict)
        return original_action(context, data_dict)
    action.__name__ = name
    action.__doc__ = f"{name}, refusing harvest source URLs that are not public http(s)."
    return tk.chained_action(action)


def get_actions() -> dict[str, Any]:
    """The harvest API and the source form (which saves through package_*)."""
    return {"harvest_source_create": _checked("harvest_source_create", True),
            "harvest_source_update": _checked("harvest_source_update", True),
            "package_create": _checked("package_create", False),
            "package_update": _checked("package_update", False)}
