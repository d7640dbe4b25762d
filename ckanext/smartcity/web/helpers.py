"""Template helpers of the pages citizens see: home page, dataset facts,
organisation box, structured data, pager, demo notice, dates, numbers and
durations in the page language, the error page's assets (registered with
the ``smartcity_`` prefix)."""
from __future__ import annotations

import datetime
import decimal
import json
import logging
import re
from typing import Any

import ckan.plugins.toolkit as tk
import dominate.tags as tags
from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal
from flask import g
from markupsafe import Markup

from ckanext.smartcity.categories.actions import caller_context
from ckanext.smartcity.schema import vocab
from ckanext.smartcity.schema.validators import DURATION
from ckanext.smartcity.schema.values import values

log = logging.getLogger(__name__)


def _date_text(value: str | None, lang: str) -> str:
    """``2020-01-31`` as ``31.01.2020`` on German pages; time and partial
    dates (``2020``, ``2020-05``) as stored."""
    text = (value or "")[:10]
    if lang == "de" and len(text) == 10 and text[4] == "-" and text[7] == "-":
        return f"{text[8:10]}.{text[5:7]}.{text[0:4]}"
    return text


def smartcity_dataset_facts(pkg: dict[str, Any]) -> dict[str, Any]:
    """What a citizen looks for first on a dataset page, labelled in the page
    language: licence (+ attribution texts), publisher, contact, region,
    period, update frequency, modification date."""
    lang = tk.h.lang() or "de"
    attributions = []
    for resource in pkg.get("resources") or []:
        text = (resource.get("license_attribution_by_text") or "").strip()
        if text and text not in attributions:
            attributions.append(text)
    publisher = (pkg.get("publisher") or [{}])[0]
    contact = (pkg.get("contact") or [{}])[0]
    regions = [vocab.label("german-region", uri, lang) or uri
               for uri in values(pkg.get("political_geocoding"))]
    periods = []
    for period in pkg.get("temporal_coverage") or []:
        start, end = _date_text(period.get("start"), lang), _date_text(period.get("end"), lang)
        if start and end:
            periods.append(f"{start} – {end}")
        elif start:
            periods.append(tk._("since %(date)s") % {"date": start})
        elif end:
            periods.append(tk._("until %(date)s") % {"date": end})
    frequency = pkg.get("frequency")
    return {
        "license": {"title": pkg.get("license_title") or pkg.get("license_id"),
                    "url": pkg.get("license_url"), "open": pkg.get("isopen"),
                    "attributions": attributions},
        "publisher": {"name": publisher.get("name") or (pkg.get("organization") or {}).get("title"),
                      "uri": publisher.get("uri")},
        "contact": {key: contact.get(key) for key in ("name", "email", "url", "phone")
                    if contact.get(key)},
        "regions": regions,
        "periods": periods,
        "frequency": ((vocab.label("eu-frequency", frequency, lang) or frequency)
                      if frequency else ""),
        "modified": _date_text(pkg.get("modified"), lang),
    }


def smartcity_home(newest: int = 5, organizations: int = 8) -> dict[str, Any]:
    """The home page's lists, from one search as the current user: the newest
    datasets, the organisations with the dataset counts the user may see
    (organization_list's own package_count also counts private datasets)
    and the totals."""
    context = caller_context()
    result = tk.get_action("package_search")(
        dict(context), {"q": "", "rows": newest, "sort": "metadata_created desc",
                        "include_private": True, "facet.field": ["owner_org"],
                        "facet.limit": -1})
    counts = result.get("facets", {}).get("owner_org", {})
    orgs = tk.get_action("organization_list")(dict(context), {"all_fields": True})
    for org in orgs:
        org["package_count"] = counts.get(org["id"], 0)
    orgs.sort(key=lambda org: (-org["package_count"], org["display_name"]))
    return {"newest": result["results"], "organizations": orgs[:organizations],
            "datasets": result["count"], "organization_count": len(orgs)}


def smartcity_package_organization(org_id: str) -> dict[str, Any]:
    """The organisation for the box on the dataset page. CKAN's block asks
    ``organization_show`` for everything: it counts the organisation's
    datasets, lists its groups and members and counts followers (two
    searches and about 20 queries on every dataset page) for a box that
    shows none of it (``show_nums=false``). Here only the organisation
    itself (title, description, image) is read; no dataset count is
    computed, so the dict says none."""
    try:
        org = tk.get_action("organization_show")(
            {"dataset_counts": {"owner_org": {}, "groups": {}}},
            {"id": org_id, "include_datasets": False, "include_users": False,
             "include_groups": False, "include_followers": False})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return {}
    org.pop("package_count", None)
    return org


def smartcity_structured_data(pkg: dict[str, Any]) -> Markup | str:
    """ckanext-dcat's schema.org JSON-LD of the dataset, encoded so that it
    cannot end its <script> element (<, >, & as \\u escapes); "" when the
    dataset cannot be serialised. Only called where the structured_data
    plugin's template block exists."""
    try:
        data = json.loads(tk.h.structured_data(pkg))
    except Exception:  # advisory markup: never a 500 on the dataset page
        log.warning("structured data of %s failed", pkg.get("id"), exc_info=True)
        return ""
    text = json.dumps(data, ensure_ascii=False)
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(char, escape)
    return Markup(text)


def smartcity_pager_symbols() -> dict[str, Any]:
    """Previous/next links of CKAN's pager with a name screen readers read
    (CKAN's are bare icons)."""
    def symbol(icon: str, text: str) -> Any:
        return tags.span(tags.i(cls=f"fa-solid {icon}", aria_hidden="true"),
                         tags.span(text, cls="visually-hidden"))
    return {"symbol_previous": symbol("fa-chevron-left", tk._("Previous page")),
            "symbol_next": symbol("fa-chevron-right", tk._("Next page"))}


def smartcity_demo_notice() -> bool:
    """Whether every page carries the "Demonstrationsdaten" notice."""
    return tk.asbool(tk.config.get("ckanext.smartcity.demo_notice"))


# xsd:gYear, gYearMonth, date or dateTime (schema/validators.py stores these)
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?)?)?")


def _babel_locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang or "en", sep="-")
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


def smartcity_date(value: Any) -> Markup | str:
    """A date as the page language writes it, in a ``<time>`` element that
    keeps the machine-readable value: ``2026-12-04`` (or a timestamp such as
    ``metadata_modified``) as "4. Dezember 2026" / "December 4, 2026",
    ``2026-12`` as "Dezember 2026", ``2026`` as "2026". A timestamp shows
    its date only, as CKAN's own pages do. Anything else comes back as
    given (escaped by the template)."""
    if isinstance(value, datetime.datetime):
        value = value.date().isoformat()
    elif isinstance(value, datetime.date):
        value = value.isoformat()
    text = str(value or "").strip()
    match = _DATE.fullmatch(text)
    if not match:
        return text
    year, month, day = match.groups()
    locale = _babel_locale(tk.h.lang())
    try:
        if day:
            date = datetime.date(int(year), int(month), int(day))
            shown, machine = format_date(date, "long", locale=locale), date.isoformat()
        elif month:
            date = datetime.date(int(year), int(month), 1)
            shown, machine = format_skeleton("yMMMM", date, locale=locale), f"{year}-{month}"
        else:
            shown = machine = year
    except ValueError:  # 2026-02-30: not a date, shown as stored
        return text
    return Markup('<time datetime="{}">{}</time>').format(machine, shown)


def smartcity_number(value: Any) -> str:
    """A number with the digit grouping and decimal sign of the page
    language: 32000 as "32.000" and 12.5 as "12,5" on German pages,
    "32,000" and "12.5" on English ones (an int, a float or an integer's
    digits as text). Anything else, and what babel cannot write (26 digits
    and more), comes back as text, unchanged (None as "")."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]{1,30}\s*", value):
        number = int(value)
    else:
        return "" if value is None else str(value)
    try:  # CKAN's formatter, in the request's locale (as the DataStore notices use it)
        return tk.h.localised_number(number)
    except ArithmeticError:  # decimal.InvalidOperation
        return str(value)


# the words of each part of validators.DURATION: plural form by a whole
# number n (1 -> "Stunde", 0.5 -> "Sekunden"), digits as the page language
# writes them (c)
_DURATION_WORDS = {
    "years": lambda n, c: tk.ungettext("%(count)s year", "%(count)s years", n, count=c),
    "months": lambda n, c: tk.ungettext("%(count)s month", "%(count)s months", n, count=c),
    "days": lambda n, c: tk.ungettext("%(count)s day", "%(count)s days", n, count=c),
    "hours": lambda n, c: tk.ungettext("%(count)s hour", "%(count)s hours", n, count=c),
    "minutes": lambda n, c: tk.ungettext("%(count)s minute", "%(count)s minutes", n, count=c),
    "seconds": lambda n, c: tk.ungettext("%(count)s second", "%(count)s seconds", n, count=c),
}
# longer numbers are shown as written (babel gives up at 26 digits)
_DURATION_DIGITS = 15


def smartcity_duration_text(value: Any) -> str:
    """An ISO 8601 duration (dcat:temporalResolution, as the validator
    stores it) in words of the page language: ``PT1H`` as "1 Stunde",
    ``PT1H30M`` as "1 Stunde 30 Minuten", ``P1Y`` as "1 Jahr" (English:
    "1 hour 30 minutes"). Anything that is no such duration, or has
    absurdly long numbers, comes back as written."""
    text = str(value or "").strip()
    match = DURATION.match(text.upper())
    if not match or any(len(part) > _DURATION_DIGITS for part in match.groups() if part):
        return text
    locale = _babel_locale(tk.h.lang())
    words = []
    for name, words_of in _DURATION_WORDS.items():
        amount = match.group(name)
        if amount is None:
            continue
        number = decimal.Decimal(amount)
        plural = int(number) if number == number.to_integral_value() else 2
        words.append(words_of(plural, format_decimal(number, locale=locale,
                                                     decimal_quantization=False)))
    return " ".join(words)


def smartcity_fresh_assets() -> str:
    """Forget the assets a failed page already wrote, so that the error page
    links every style sheet again. CKAN keeps the included assets per
    request (``g._webassets``) and writes each only once: a template that
    failed after the page head had been rendered left the 500 page without
    CKAN's main.css (unstyled). Called by error_document_template.html
    before its head is rendered; returns "" to print nothing."""
    g.pop("_webassets", None)
    return ""


def get_helpers() -> dict[str, Any]:
    return {name: obj for name, obj in globals().items()
            if name.startswith("smartcity_") and callable(obj)}
