"""The update checks each scenario sends, and what a correct store answers to each.

Requests are what the browsers send (bench/../shared notes, section 1.3, and Firefox's default
extensions.update.url): Chromium 150 on Linux checking policy-installed extensions, Firefox ESR
140 checking a listed add-on in the background. Every check names an installed version, so the
answer is known in advance:

- current: the browser has the store's version: no update (Firefox: none, or that same version);
- outdated: the browser has an older version: the store's version is offered;
- unknown: an id or guid the store does not have: no update;
- hidden: an add-on that is not public (awaiting review, disabled): no update, however old.

The mix (70 % current, 20 % outdated, 5 % unknown, 5 % hidden) is a fleet that is mostly up to
date, as a fleet checking every few hours is.
"""

import json
import random
import string
from dataclasses import dataclass
from urllib.parse import quote, urlencode
from xml.etree import ElementTree

from addonhub import published_urls as urls

MIX = (("current", 70), ("outdated", 20), ("unknown", 5), ("hidden", 5))
CHROMIUM_VERSION = "150.0.7871.114"  # Debian's chromium on this machine
FIREFOX_VERSION = "140.5.0"  # Debian's firefox-esr
FIREFOX_APP_ID = "{ec8030f7-c20a-464f-9b0e-13a3a9e97384}"
# The parameters Chromium adds to every update URL (notes section 1.3).
CHROMIUM_BASE = {"os": "linux", "arch": "x64", "prod": "chromiumcrx", "prodchannel": "", "prodversion": CHROMIUM_VERSION,
                 "lang": "en-US", "acceptformat": "crx3,puff"}


@dataclass(frozen=True)
class Deployed:
    """One add-on as the bench deployed it: its browser id (crx id or guid), the version the store
    holds and whether the store offers it (public, not disabled)."""

    browser_id: str
    version: str
    offered: bool


@dataclass(frozen=True)
class Check:
    """One request and, per browser id it names, the versions a correct answer may offer (None:
    no update)."""

    kind: str
    path: str
    expected: dict[str, frozenset]


OLDER_VERSION = "0.0.0.1"  # installed by outdated checks: below every deployed version (see _split)


def _numbers(version: str) -> tuple[int, ...]:
    parts = [int(part) for part in version.split(".")]
    return tuple(parts + [0] * (4 - len(parts)))


def _kind(rng: random.Random) -> str:
    return rng.choices([kind for kind, _ in MIX], weights=[weight for _, weight in MIX])[0]


def _pick(rng: random.Random, kind: str, offered: list[Deployed], hidden: list[Deployed], unknown_id):
    """(browser id, installed version, versions a correct answer may offer) for one check."""
    if kind == "unknown":
        return unknown_id(rng), "1.0.0", frozenset({None})
    if kind == "hidden" and hidden:
        addon = rng.choice(hidden)
        return addon.browser_id, OLDER_VERSION, frozenset({None})
    addon = rng.choice(offered)
    if kind == "outdated":
        return addon.browser_id, OLDER_VERSION, frozenset({addon.version})
    return addon.browser_id, addon.version, None  # current: the caller says what may come back


def _split(deployed: list[Deployed]) -> tuple[list[Deployed], list[Deployed]]:
    """(offered, hidden) add-ons, leaving out the few synthetic versions not above OLDER_VERSION."""
    deployed = [addon for addon in deployed if _numbers(addon.version) > _numbers(OLDER_VERSION)]
    return [addon for addon in deployed if addon.offered], [addon for addon in deployed if not addon.offered]


def _unknown_crx_id(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase[:16]) for _ in range(32))


def _unknown_guid(rng: random.Random) -> str:
    return f"unknown-{rng.getrandbits(48):012x}@bench.example.org"


def chromium_checks(rng: random.Random, deployed: list[Deployed], ids_per_request: int, count: int) -> list[Check]:
    """`count` gupdate requests naming `ids_per_request` extensions each (distinct within a request)."""
    offered, hidden = _split(deployed)
    checks = []
    for _ in range(count):
        entries, expected, kinds = [], {}, []
        while len(entries) < ids_per_request:
            kind = _kind(rng)
            crx_id, installed, answers = _pick(rng, kind, offered, hidden, _unknown_crx_id)
            if crx_id in expected:
                continue
            expected[crx_id] = answers if answers is not None else frozenset({None})
            kinds.append(kind)
            entries.append(("x", urlencode({"id": crx_id, "v": installed, "installsource": "notfromwebstore",
                                            "installedby": "policy"}) + "&uc"))
        path = urls.CHROMIUM_UPDATE_PATH + "?" + urlencode([*CHROMIUM_BASE.items(), *entries])
        checks.append(Check(kinds[0] if ids_per_request == 1 else f"{ids_per_request} ids", path, expected))
    return checks


def versioncheck_checks(rng: random.Random, deployed: list[Deployed], count: int) -> list[Check]:
    """`count` background update checks of Firefox ESR, one add-on each."""
    offered, hidden = _split(deployed)
    checks = []
    for _ in range(count):
        kind = _kind(rng)
        guid, installed, answers = _pick(rng, kind, offered, hidden, _unknown_guid)
        if answers is None:  # AMO answers a current install with that same version
            answers = frozenset({None, installed})
        params = {"reqVersion": "2", "id": guid, "version": installed, "maxAppVersion": "*",
                  "status": "userEnabled", "appID": FIREFOX_APP_ID, "appVersion": FIREFOX_VERSION,
                  "appOS": "Linux", "appABI": "x86_64-gcc3", "locale": "en-US",
                  "currentAppVersion": FIREFOX_VERSION, "updateType": "112", "compatMode": "normal"}
        checks.append(Check(kind, urls.VERSIONCHECK_PATH + "?" + urlencode(params, quote_via=quote), {guid: answers}))
    return checks


# --- reading the answers ------------------------------------------------------------------------

GUPDATE_NAMESPACE = "{http://www.google.com/update2/response}"


def gupdate_answer(body: bytes) -> dict | str:
    """{appid: offered version or None} from a gupdate manifest, or what is wrong with it."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError as error:
        return f"not XML: {error}"
    if root.tag != GUPDATE_NAMESPACE + "gupdate" or root.get("protocol") != "2.0":
        return f"not a gupdate 2.0 manifest: <{root.tag} protocol={root.get('protocol')!r}>"
    answer = {}
    for app in root.iter(GUPDATE_NAMESPACE + "app"):
        checks = app.findall(GUPDATE_NAMESPACE + "updatecheck")
        if len(checks) != 1:
            return f"app {app.get('appid')} has {len(checks)} updatecheck elements"
        check = checks[0]
        if check.get("status") == "noupdate":
            answer[app.get("appid")] = None
        elif not (check.get("codebase") and check.get("hash_sha256") and check.get("size")):
            return f"app {app.get('appid')}: an update without codebase, hash_sha256 or size"
        else:
            answer[app.get("appid")] = check.get("version")
    return answer


def versioncheck_answer(body: bytes) -> dict | str:
    """{guid: offered version or None} from a VersionCheck answer, or what is wrong with it."""
    try:
        value = json.loads(body)
        addons = value["addons"] if value != {} else {}  # AMO answers {} for add-ons it does not serve
    except (ValueError, KeyError, TypeError):
        return "not a JSON object with addons"
    answer = {}
    for guid, entry in addons.items():
        updates = entry.get("updates") or []
        if any(not update.get("update_link") for update in updates):
            return f"{guid}: an update without update_link"
        answer[guid] = updates[-1]["version"] if updates else None
    return answer


def mismatch(check: Check, answer: dict | str) -> str | None:
    """Why the answer is not a correct one for the check, or None when it is."""
    if isinstance(answer, str):
        return answer
    wrong = [f"{browser_id}: {answer.get(browser_id)!r}, expected one of {sorted(map(str, allowed))}"
             for browser_id, allowed in check.expected.items() if answer.get(browser_id) not in allowed]
    extra = sorted(set(answer) - set(check.expected) - {browser_id for browser_id, v in answer.items() if v is None})
    return "; ".join(wrong + ([f"answers for ids it was not asked about: {extra}"] if extra else [])) or None
