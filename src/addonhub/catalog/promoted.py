"""AMO's promoted groups: putting add-ons in them and taking them out (an operator's work, through
`addonhub promoted`), and the weight a promotion gives an add-on in relevance ranking."""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from addonhub.catalog.constants import PROMOTED_APPLICATIONS, PROMOTED_GROUPS, PromotedGroup
from addonhub.catalog.indexing import reindex
from addonhub.catalog.models import Addon, PromotedAddon
from addonhub.catalog.serializers import promotion_list
from addonhub.catalog.service import find_addon_by_any_id
from addonhub.refusals import INVALID, NOT_FOUND, Refused


def promoted_group(name: str) -> PromotedGroup:
    group = PROMOTED_GROUPS.get(name)
    if group is None:
        raise Refused(INVALID, f'Unknown promoted group "{name}": use one of {", ".join(PROMOTED_GROUPS)}.', "group")
    return group


def _applications(apps: Iterable[str]) -> list[str]:
    """The applications asked for, or (none asked) every one AMO promotes for."""
    chosen = list(dict.fromkeys(apps)) or list(PROMOTED_APPLICATIONS)
    for app in chosen:
        if app not in PROMOTED_APPLICATIONS:
            raise Refused(INVALID, f'Add-ons cannot be promoted for "{app}": use {" or ".join(PROMOTED_APPLICATIONS)}.',
                          "app")
    return chosen


def _addon(session: Session, identifier: str) -> Addon:
    addon = find_addon_by_any_id(session, identifier)
    if addon is None:
        raise Refused(NOT_FOUND, f'No add-on "{identifier}".', "addon")
    return addon


def promote(session: Session, identifier: str, group: str, apps: Iterable[str] = ()) -> Addon:
    """Puts the add-on in the group for exactly these applications (all of them when none are
    named), replacing the group's applications it had."""
    chosen_group = promoted_group(group)
    chosen_apps = _applications(apps)
    addon = _addon(session, identifier)
    kept = [promotion for promotion in addon.promotions if promotion.group != chosen_group.name]
    addon.promotions = kept + [PromotedAddon(group=chosen_group.name, application=app) for app in chosen_apps]
    reindex(session, addon)
    return addon


def demote(session: Session, identifier: str, group: str | None = None) -> Addon:
    """Takes the add-on out of the group, or out of every group; being in none already is no error."""
    name = promoted_group(group).name if group is not None else None
    addon = _addon(session, identifier)
    addon.promotions = [promotion for promotion in addon.promotions if name is not None and promotion.group != name]
    reindex(session, addon)
    return addon


def promotions(addon: Addon) -> list[dict]:
    """Every group the add-on is in and its applications, whether or not it has a current version:
    what an operator set, where promoted_groups() is what the catalogue shows."""
    return promotion_list(addon.promotions)


def promoted_addons(session: Session, group: str | None = None) -> list[Addon]:
    """The add-ons in the group (or in any group), by id."""
    query = select(PromotedAddon.addon_id)
    if group is not None:
        query = query.where(PromotedAddon.group == promoted_group(group).name)
    ids = sorted(set(session.scalars(query)))
    return [session.get(Addon, addon_id) for addon_id in ids]
