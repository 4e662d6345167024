"""Imports add-ons given in AMO's own JSON shape: how demo content and existing catalogues get in.

One call is one transaction: the caller's session is rolled back if any record is bad, and the
error names the record and the field.
"""

import functools
import gc
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session, selectinload

from addonhub.accounts.models import User
from addonhub.catalog import appversions
from addonhub.catalog.constants import (
    ADDON_STATUSES, ADDON_TYPES, APPLICATIONS, CATEGORIES, CHANNELS, FILE_STATUSES, PLATFORMS, PROMOTED_APPLICATIONS,
    PROMOTED_GROUPS, TYPE_ALIASES, AddonStatus, Channel, FileStatus,
)
from addonhub.catalog.html import sanitized
from addonhub.catalog.indexing import newest_public_listed, reindex_all, store_current_versions
from addonhub.catalog.models import (
    Addon, AddonCategory, AddonTag, AddonUser, CompatOverride, FeaturedPlacement, File, License,
    Preview, PromotedAddon, ReplacementAddon, Version, VersionCompatibility,
)
from addonhub.db import among, defer_foreign_key, insert_values, larger_page_cache, writes_in_background

_SLUG = re.compile(r"^[\w-]+$")
_USERNAME = re.compile(r"^[\w.@+-]+$")


class CatalogueImportError(ValueError):
    pass


class _Reader:
    """Reads one field of a record, raising an error that names the record and the field."""

    def __init__(self, data: Any, label: str, path: str = ""):
        if not isinstance(data, dict):
            raise CatalogueImportError(f"{label}: {path or 'record'}: expected an object")
        self.data, self.label, self.path = data, label, path

    def fail(self, field: str, problem: str):
        raise CatalogueImportError(f"{self.label}: field '{self.path}{field}': {problem}")

    def has(self, field: str) -> bool:
        return self.data.get(field) is not None

    def child(self, field: str) -> "_Reader":
        return _Reader(self.data[field], self.label, f"{self.path}{field}.")

    def item(self, field: str, index: int, value: Any) -> "_Reader":
        return _Reader(value, self.label, f"{self.path}{field}[{index}].")

    def get(self, field: str, kind: type | tuple, default: Any = None, required: bool = False):
        value = self.data.get(field)
        if type(value) is kind:  # most fields: no check below can fail (a boolean is no int here)
            return value
        if value is None:
            if required:
                self.fail(field, "is required")
            return default
        # bool is an int in Python; a count must not silently accept true/false.
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            self.fail(field, f"expected {_kind_name(kind)}, got a boolean")
        if not isinstance(value, kind):
            self.fail(field, f"expected {_kind_name(kind)}, got {type(value).__name__}")
        return value

    def count(self, field: str) -> int:
        value = self.get(field, int, 0)
        if value < 0:
            self.fail(field, "must not be negative")
        return value

    def choice(self, field: str, choices, default: str | None = None, aliases: dict | None = None) -> str:
        value = self.get(field, str, default, required=default is None)
        value = (aliases or {}).get(value, value)
        if value not in choices:
            self.fail(field, f"'{value}' is not one of {', '.join(choices)}")
        return value

    def translations(self, field: str, default_locale: str, html: bool = False) -> dict[str, str]:
        value = self.data.get(field)
        if value is None:
            return {}
        if isinstance(value, str):
            value = {default_locale: value}
        if not isinstance(value, dict):
            self.fail(field, "expected a string or an object of strings keyed by locale")
        cleaned = {}
        for locale, string in value.items():
            if not isinstance(locale, str) or not (string is None or isinstance(string, str)):
                self.fail(field, "expected a string or an object of strings keyed by locale")
            if not string:
                continue
            if "\x00" in string:
                self.fail(field, f"the {locale} text contains a NUL character")
            cleaned[locale] = sanitized(string) if html else string
        return cleaned

    def moment(self, field: str) -> datetime | None:
        value = self.get(field, str)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.fail(field, f"'{value}' is not an ISO 8601 date")
        if parsed.tzinfo:
            parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
        return parsed

    def string_list(self, field: str) -> list[str]:
        value = self.get(field, list, [])
        if not all(isinstance(item, str) for item in value):
            self.fail(field, "expected a list of strings")
        return value


def _kind_name(kind) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "a boolean", list: "a list", dict: "an object"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _records(data: Any) -> tuple[list, list, list]:
    if isinstance(data, list):
        return data, [], []
    if not isinstance(data, dict):
        raise CatalogueImportError("file: expected a list of add-ons or an object")
    if "results" in data:
        addons = data["results"]
    else:
        addons = data.get("addons", [])
    replacements = data.get("replacement_addons", [])
    overrides = data.get("compat_overrides", [])
    for key, value in (("addons", addons), ("replacement_addons", replacements), ("compat_overrides", overrides)):
        if not isinstance(value, list):
            raise CatalogueImportError(f"file: '{key}' must be a list")
    return addons, replacements, overrides


def parse_catalogue(raw: bytes) -> Any:
    """A catalogue file's JSON, with orjson (twice as fast as the standard library on a
    catalogue, and it refuses bad UTF-8 itself), the cyclic garbage collector paused meanwhile and
    the result frozen out of its reach (see _collected_by_batch): the millions of objects of a
    big catalogue set off collection after collection, each walking all those made so far (four
    fifths of parsing 100,000 add-ons)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        parsed = orjson.loads(raw)
        gc.freeze()
        return parsed
    finally:
        if enabled:
            gc.enable()


# Add-ons read and validated between two writes: each batch is flushed, indexed and let go of
# together (a statement a table, not a flush a record), and memory stays flat however big the file.
BATCH_SIZE = 1000


def import_catalogue(session: Session, data: Any, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Imports (or updates in place) every record; returns how many of each kind. `progress` is
    told (add-ons done, add-ons in all) after each batch."""
    addons, replacements, overrides = _records(data)
    with _collected_by_batch():
        return _import_records(session, addons, replacements, overrides, progress)


@contextmanager
def _collected_by_batch() -> Iterator[None]:
    """Runs the cyclic garbage collector once a batch instead of when allocations trigger it. The
    records are millions of objects that live as long as the import, and every full collection
    walked them all: automatic collections were more than a third of an import's time. Frozen,
    the collector leaves them (and whatever else the process held before) alone; what a batch
    leaves in cycles (the ORM's state of stored add-ons) goes at the end of the batch, so memory
    stays flat."""
    enabled = gc.isenabled()
    gc.disable()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def _import_records(session: Session, addons: list, replacements: list, overrides: list,
                    progress: Callable[[int, int], None] | None) -> dict[str, int]:
    importer = _Importer(session)
    connection = session.connection()
    with larger_page_cache(connection), writes_in_background(connection):
        _import_addons(session, importer, addons, progress)
    for index, record in enumerate(replacements):
        importer.replacement(_Reader(record, _label("replacement", index, record)))
    for index, record in enumerate(overrides):
        importer.compat_override(_Reader(record, _label("compat override", index, record)))
    session.flush()
    return {"addons": len(addons), "replacement_addons": len(replacements), "compat_overrides": len(overrides)}


def _import_addons(session: Session, importer: "_Importer", addons: list,
                   progress: Callable[[int, int], None] | None) -> None:
    """Reads and writes the add-ons a batch at a time. A batch's statements run in the
    background (db.writes_in_background) while the next batch is read: that batch's prefetch
    runs first, before the statements it would otherwise wait for. Its records cannot then see
    what the batch before them adds: it waits for those writes when it names any of it, or when
    the batch before is not independent (_ReadBatch)."""
    unwritten = None  # the batch read and not yet written, with what its records name
    for start in range(0, len(addons), BATCH_SIZE):
        batch = list(enumerate(addons[start:start + BATCH_SIZE], start))
        records = [record for _, record in batch]
        named = _Named.of(records)
        if unwritten and not (unwritten.independent() and named.isdisjoint(unwritten.named)):
            _write_batch(session, importer, unwritten, progress, len(addons))
            unwritten = None
        importer.prefetch(records, named)
        if unwritten:
            _write_batch(session, importer, unwritten, progress, len(addons))
        # Lookups while a record is half-read must not flush it: the batch is flushed once complete.
        with session.no_autoflush:
            imported = [importer.addon(record, _label("add-on", index, record)) for index, record in batch]
        unwritten = _ReadBatch(imported, named, start + len(batch))
    if unwritten:
        _write_batch(session, importer, unwritten, progress, len(addons))


@dataclass
class _ReadBatch:
    addons: list[Addon]
    named: "_Named"
    done: int  # add-ons read up to the end of this batch

    def independent(self) -> bool:
        """Whether nothing the next batch's prefetch reads depends on this batch's writes but
        what the records name: every add-on is new (a stored one is the session's, and shares
        objects with others) and has, with its versions and files, the id its record gave (a
        later record may name an id the database gives)."""
        return all(
            not is_instrumented(addon) and addon.id is not None
            and all(version.id is not None and all(file.id is not None for file in version.files)
                    for version in addon.versions)
            for addon in self.addons)


def _write_batch(session: Session, importer: "_Importer", batch: _ReadBatch,
                 progress: Callable[[int, int], None] | None, total: int) -> None:
    stored, new = importer.write(batch.addons)
    if stored:
        reindex_all(session, stored)
    if new:
        reindex_all(session, new, new=True)
    importer.release(stored)
    for addon in new:
        _dismantle(addon)
    # Only a stored add-on's objects are left in cycles (the ORM's relationships refer both
    # ways); without them, the youngest objects are all the collector need look at.
    gc.collect(2 if stored else 0)
    if progress:
        progress(batch.done, total)


def _dismantle(addon: Addon) -> None:
    """Empties a written new add-on and its versions and files (plain objects, see _Importer._new):
    each refers to its parent, and so the batch would be one big cycle for the collector to walk
    (a tenth of an import's time); emptied, each is freed as soon as nothing refers to it."""
    for version in addon.versions:
        for file in version.files:
            vars(file).clear()
        vars(version).clear()
    vars(addon).clear()


@dataclass
class _Named:
    """What a batch's records name that the database may hold: add-on ids, guids and slugs,
    version and file ids."""
    addon_ids: set[int]
    guids: set[str]
    slugs: set[str]
    version_ids: set[int]
    file_ids: set[int]

    @classmethod
    def of(cls, records: list) -> "_Named":
        versions = [version for record in records
                    for version in [_field(record, "current_version"), *_listed(record, "versions")]]
        return cls(
            addon_ids=_ids(_field(record, "id") for record in records),
            guids=_strings(_field(record, "guid") for record in records),
            slugs=_strings(_field(record, "slug") for record in records),
            version_ids=_ids(_field(version, "id") for version in versions),
            file_ids=_ids(_field(file, "id") for version in versions for file in _listed(version, "files")),
        )

    def isdisjoint(self, other: "_Named") -> bool:
        return all(getattr(self, name).isdisjoint(getattr(other, name)) for name in vars(self))


def _label(kind: str, index: int, record: Any) -> str:
    label = f"{kind} #{index + 1}"
    if isinstance(record, dict):
        known = [f"{key} {record[key]!r}" for key in ("id", "guid", "addon_guid") if isinstance(record.get(key), (str, int))]
        if known:
            label += f" ({', '.join(known)})"
    return label


def _ids(values) -> set[int]:
    return {value for value in values if isinstance(value, int) and not isinstance(value, bool)}


def _strings(values) -> set[str]:
    return {value for value in values if isinstance(value, str)}


def _field(record: Any, field: str) -> Any:
    return record.get(field) if isinstance(record, dict) else None


def _listed(record: Any, field: str) -> list:
    value = _field(record, field)
    return value if isinstance(value, list) else []


def _authors_of(session: Session, records: list) -> dict[str, User]:
    """The accounts the records name as authors, by username: those the store has, and new ones
    for the others, inserted now in one statement (the unit of work's flush inserted one a
    statement), each with the last display name the batch gives it. A new account is inserted
    before the record naming it is read: a bad record rolls the whole import back with it."""
    names: dict[str, str | None] = {}
    for author in (author for record in records for author in _listed(record, "authors")):
        username, display_name = _field(author, "username"), _field(author, "name")
        if isinstance(username, str) and _USERNAME.match(username):
            names[username] = display_name if isinstance(display_name, str) and display_name else names.get(username)
    # IN, not db.among: inside an import's transaction, = ANY over usernames grew to 100 ms a
    # batch once users held a few thousand rows (IN stayed at a few milliseconds).
    users = {user.username: user for user in session.scalars(
        select(User).where(User.username.in_(names)))} if names else {}
    new = [{"username": username, "display_name": display_name, "role": "developer"}
           for username, display_name in names.items() if username not in users]
    if new:
        users.update((user.username, user) for user in session.scalars(
            insert(User).returning(User, sort_by_parameter_order=True), new))
    return users


# What a record's import reads and writes of a stored add-on, loaded with it in a few queries.
_STORED_ADDON_GRAPH = (
    selectinload(Addon.versions).selectinload(Version.files),
    selectinload(Addon.versions).selectinload(Version.compatibility),
    selectinload(Addon.versions).selectinload(Version.license),
    *(selectinload(relation) for relation in (
        Addon.categories, Addon.tags, Addon.featured_placements, Addon.previews, Addon.promotions)),
    selectinload(Addon.authors).selectinload(AddonUser.user),
)


def _insert_new_addons(session: Session, addons: list[Addon]) -> None:
    """Inserts add-ons built outside the session, with everything they hold, a statement a table
    (Core executemany); the ids the records do not give come back through RETURNING."""
    versions = [version for addon in addons for version in addon.versions]
    licenses = list({id(version.license): version.license for version in versions if version.license is not None}.values())
    _insert(session, licenses)
    # An add-on whose versions' ids the records give is written with its current version, which
    # is inserted after it (the key is checked at commit); the others get theirs once their
    # versions have ids, below. An UPDATE of each add-on was PostgreSQL's costliest statement.
    defer_foreign_key(session.connection(), "addons_current_version_id_fkey")
    given_ids = {id(addon): all(version.id is not None for version in addon.versions) for addon in addons}
    for addon in addons:
        current = newest_public_listed(addon) if given_ids[id(addon)] else None
        # The ORM's version counter starts at 1 (the column's default).
        vars(addon).update(row_version=1, current_version=current, current_version_id=current.id if current else None)
    _insert(session, addons)
    for addon in addons:
        for child in (*addon.versions, *addon.authors, *addon.categories, *addon.tags,
                      *addon.featured_placements, *addon.previews, *addon.promotions):
            vars(child)["addon_id"] = addon.id
        for link in addon.authors:
            vars(link)["user_id"] = link.user.id
    for version in versions:
        vars(version)["license_id"] = version.license.id if version.license is not None else None
    _insert(session, versions)
    for version in versions:
        for child in (*version.files, *version.compatibility):
            vars(child)["version_id"] = version.id
    for children in ("authors", "categories", "tags", "featured_placements", "previews", "promotions"):
        _insert(session, [child for addon in addons for child in getattr(addon, children)])
    for children in ("files", "compatibility"):
        _insert(session, [child for version in versions for child in getattr(version, children)])
    for addon, current in store_current_versions(session, [addon for addon in addons if not given_ids[id(addon)]]):
        vars(addon).update(current_version=current, current_version_id=current.id if current else None,
                           row_version=addon.row_version + 1)


def _insert(session: Session, objects: list) -> None:
    """Inserts objects of one model built outside the session, as the unit of work would: a
    column left unset (or None) gets its default, which the object is given too, so that it
    reads as a stored one would (what only the database fills in, `modified`, it lacks).
    Objects without an id get one, returned in order."""
    if not objects:
        return
    mapper = objects[0].__mapper__
    table = mapper.local_table
    # A column at a time: plain objects hold every attribute (_Importer._new).
    attributes = [vars(obj) for obj in objects]
    for key, default in _defaulted_columns(mapper):
        for values in attributes:
            if values[key] is None:
                values[key] = default.arg(None) if default.is_callable else default.arg
    # Objects by the columns left for the database to fill in: those the statement leaves out.
    filled = _filled_columns(mapper)
    unset = zip(*([values[key] is None for values in attributes] for key in filled)) if filled else [()] * len(objects)
    groups: dict[tuple[bool, ...], list] = {}
    for flags, member in zip(unset, zip(objects, attributes)):
        groups.setdefault(flags, []).append(member)
    for flags, members in groups.items():
        left_out = {key for key, flag in zip(filled, flags) if flag}
        keys = [key for key in _column_names(mapper) if key not in left_out]
        names = [_column_names(mapper)[key] for key in keys]
        values_of = itemgetter(*keys) if len(keys) > 1 else lambda values: (values[keys[0]],)
        rows = [values_of(values) for _, values in members]
        if "id" in table.c and "id" in left_out:
            ids = session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                                  [dict(zip(names, row)) for row in rows]).scalars().all()
            for (obj, _), new_id in zip(members, ids):
                vars(obj)["id"] = new_id
        else:
            insert_values(session.connection(), table, names, rows)


def is_instrumented(row) -> bool:
    """Whether the row has the ORM's state: one an import built for a new add-on has not (_new)."""
    return "_sa_instance_state" in vars(row)


@functools.cache
def _plain_class(model: type) -> type:
    """A class whose objects read as the model's do, without the ORM: its properties and its
    mapper (what _insert writes by), but plain attributes. Reading a mapped attribute runs the
    ORM's Python code even on an object without its state, and the documents and inserts of a
    new add-on read thousands: that was a tenth of an import's time."""
    namespace = {name: value for name, value in vars(model).items() if isinstance(value, property)}
    return type(model.__name__, (), {**namespace, "__mapper__": model.__mapper__, "__doc__": model.__doc__})


@functools.cache
def _unset_scalars(mapper) -> dict[str, None]:
    """What an ORM object of the model reads of its scalars before anything is set: None (and
    an empty list of each collection, _collections)."""
    return {prop.key: None for prop in mapper.attrs if not getattr(prop, "uselist", False)}


@functools.cache
def _collections(mapper) -> tuple[str, ...]:
    return tuple(prop.key for prop in mapper.relationships if prop.uselist)


@functools.cache
def _column_names(mapper) -> dict[str, str]:
    """Each column attribute of a model, with its column's name."""
    return {prop.key: prop.columns[0].name for prop in mapper.column_attrs}


@functools.cache
def _defaulted_columns(mapper) -> tuple[tuple[str, Any], ...]:
    """The column attributes whose column has a default, with it."""
    return tuple((prop.key, prop.columns[0].default) for prop in mapper.column_attrs if prop.columns[0].default is not None)


@functools.cache
def _filled_columns(mapper) -> tuple[str, ...]:
    """The column attributes the database fills in when left out: the id, a server default."""
    return tuple(prop.key for prop in mapper.column_attrs
                 if prop.columns[0].default is None
                 and (prop.columns[0].primary_key or prop.columns[0].server_default is not None))


class _Importer:
    """Reads records a batch at a time. What a record's checks look up in the database (its
    add-on, slug, versions, files, authors) is read for the whole batch first (prefetch); what
    the batch itself adds is kept beside it until the batch is written (release)."""

    def __init__(self, session: Session):
        self.session = session
        self.users: dict[str, User] = {}
        # Whether the record being read makes a new add-on: then everything it builds is
        # outside the session until write() inserts it (see _new).
        self.fresh = False

    def prefetch(self, records: list, named: _Named) -> None:
        """Reads, in a few queries, what the batch's records name that the database already holds."""
        session = self.session
        addon_ids, guids, slugs = named.addon_ids, named.guids, named.slugs
        version_ids, file_ids = named.version_ids, named.file_ids
        dialect = session.get_bind().dialect
        existing = session.scalars(select(Addon).where(
            or_(among(dialect, Addon.id, addon_ids), among(dialect, Addon.guid, guids))).options(*_STORED_ADDON_GRAPH)
        ).all() if addon_ids or guids else []
        self.by_id = {addon.id: addon for addon in existing}
        self.by_guid = {addon.guid: addon for addon in existing}
        # Slug to the id of the add-on holding it, as stored; `slugs` below, as this batch leaves them.
        self.stored_slugs = dict(session.execute(select(Addon.slug, Addon.id).where(among(dialect, Addon.slug, slugs))).all())
        self.slugs: dict[str, Addon] = {}
        self.version_ids = set(session.scalars(
            select(Version.id).where(among(dialect, Version.id, version_ids)))) if version_ids else set()
        self.files = {file.id: file for file in session.scalars(
            select(File).where(among(dialect, File.id, file_ids)))} if file_ids else {}
        self.users = _authors_of(session, records)
        self.licenses: dict[tuple, License] = {}

    def write(self, addons: list[Addon]) -> tuple[list[Addon], list[Addon]]:
        """Writes the batch and returns its add-ons, once each: those already in the database and
        the new ones. The stored ones were changed in place through the session; new ones were
        built outside it and are inserted a statement a table (the unit of work costs more per
        object than all of a batch's statements together), and stay outside it: reindex_all
        reads them as built."""
        unique = list({id(addon): addon for addon in addons}.values())
        stored = [addon for addon in unique if is_instrumented(addon)]
        new = [addon for addon in unique if not is_instrumented(addon)]
        self.session.flush()  # the stored add-ons' changes and the authors' new display names
        _insert_new_addons(self.session, new)
        return stored, new

    def release(self, stored: list[Addon]) -> None:
        """Lets the session forget a written batch's stored add-ons (the new ones never were in
        it): later batches find them in the database."""
        for addon in stored:
            for version in addon.versions:
                if version.license is not None and version.license in self.session:
                    self.session.expunge(version.license)
            if addon in self.session:
                self.session.expunge(addon)

    def addon(self, record: Any, label: str) -> Addon:
        reader = _Reader(record, label)
        addon = self._find_or_create(reader)
        locale = reader.get("default_locale", str, "en-US")
        name = reader.translations("name", locale)
        if not name:
            reader.fail("name", "is required")
        fields = {
            "default_locale": locale,
            "type": reader.choice("type", ADDON_TYPES, "extension", TYPE_ALIASES),
            "status": reader.choice("status", ADDON_STATUSES, AddonStatus.PUBLIC),
            "is_disabled": reader.get("is_disabled", bool, False),
            "name": name,
            **{field: reader.translations(field, locale) for field in (
                "summary", "developer_comments", "homepage", "support_url", "support_email", "eula", "privacy_policy")},
            "description": reader.translations("description", locale, html=True),
            "contributions_url": reader.get("contributions_url", str),
            "icon_url": reader.get("icon_url", str),
            **{flag: reader.get(flag, bool, False) for flag in ("requires_payment", "is_experimental", "is_source_public")},
            "target_locale": reader.get("target_locale", str),
            "locale_disambiguation": reader.get("locale_disambiguation", str),
            "average_daily_users": reader.count("average_daily_users"),
            "weekly_downloads": reader.count("weekly_downloads"),
            "hotness": float(reader.get("hotness", (int, float), 0.0)),
            **self._ratings(reader),
        }
        created = reader.moment("created") or addon.created or datetime.utcnow()
        self._assign(addon, **fields, created=created, last_updated=reader.moment("last_updated") or created)
        self._categories(reader, addon)
        # In the order the relationship loads them (by tag), so that the document written now is
        # the one a later edit of the add-on writes.
        self._assign(addon, tags=[self._new(AddonTag, tag=tag) for tag in sorted(set(reader.string_list("tags")))])
        self._authors(reader, addon)
        self._previews(reader, addon)
        if reader.has("current_version"):
            self._version(reader.child("current_version"), addon, locale)
        for index, version in enumerate(reader.get("versions", list, [])):
            self._version(reader.item("versions", index, version), addon, locale)
        self._featured(reader, addon)
        self._promoted(reader, addon)
        return addon

    def _find_or_create(self, reader: _Reader) -> Addon:
        addon_id = reader.get("id", int)
        guid = reader.get("guid", str, required=True)
        addon = self.by_id.get(addon_id) if addon_id is not None else None
        if addon is None:
            addon = self.by_guid.get(guid)
        self.fresh = addon is None or not is_instrumented(addon)
        if addon is None:
            # Not added to the session: write() inserts the batch's new add-ons itself.
            addon = self._new(Addon, id=addon_id, guid=guid)
        elif addon_id is not None and addon.id != addon_id:
            reader.fail("guid", f"'{guid}' already belongs to add-on {addon.id}")
        self._assign(addon, guid=guid)
        if addon.id is not None:
            self.by_id[addon.id] = addon
        self.by_guid[guid] = addon
        slug = reader.get("slug", str, required=True)
        if not _SLUG.match(slug) or slug.isdigit():
            reader.fail("slug", f"'{slug}' must be letters, digits and hyphens, not only digits")
        holder = self.slugs.get(slug)
        if holder is not None and holder is not addon:
            reader.fail("slug", f"'{slug}' already belongs to add-on {holder.id if holder.id is not None else holder.guid}")
        stored = self.stored_slugs.get(slug)
        # An add-on of this batch that held the slug in the database may have given it up above.
        if holder is None and stored is not None and stored != addon.id and stored not in self.by_id:
            reader.fail("slug", f"'{slug}' already belongs to add-on {stored}")
        if self.slugs.get(addon.slug) is addon:
            del self.slugs[addon.slug]
        self._assign(addon, slug=slug)
        self.slugs[slug] = addon
        return addon

    def _ratings(self, reader: _Reader) -> dict:
        """The add-on's rating fields the record gives (none: what the add-on has stays)."""
        if not reader.has("ratings"):
            return {}
        ratings = reader.child("ratings")
        average = float(ratings.get("average", (int, float), 0.0))
        if not 0 <= average <= 5:
            ratings.fail("average", "must be between 0 and 5")
        return {
            "ratings_count": ratings.count("count"),
            "ratings_text_count": ratings.count("text_count"),
            "ratings_average": average,
            "ratings_bayesian_average": float(ratings.get("bayesian_average", (int, float), average)),
        }

    def _categories(self, reader: _Reader, addon: Addon) -> None:
        categories = reader.get("categories", dict, {})
        rows = []
        for app, slugs in categories.items():
            if app not in APPLICATIONS:
                reader.fail("categories", f"unknown application '{app}'")
            if not isinstance(slugs, list) or not all(isinstance(s, str) for s in slugs):
                reader.fail(f"categories.{app}", "expected a list of category slugs")
            for slug in dict.fromkeys(slugs):
                if slug not in CATEGORIES[addon.type]:
                    reader.fail(f"categories.{app}", f"'{slug}' is not a category for {addon.type} add-ons")
                rows.append(self._new(AddonCategory, application=app, slug=slug))
        self._assign(addon, categories=rows)

    def _authors(self, reader: _Reader, addon: Addon) -> None:
        links = []
        for position, raw in enumerate(reader.get("authors", list, [])):
            author = reader.item("authors", position, raw)
            username = author.get("username", str, required=True)
            if not _USERNAME.match(username):
                author.fail("username", f"'{username}' is not a valid username")
            user = self._user(username, author.get("name", str))
            links.append(self._new(AddonUser, user=user, position=position, listed=True))
        self._assign(addon, authors=links)

    def _user(self, username: str, display_name: str | None) -> User:
        user = self.users[username]  # prefetched: every valid username of the batch is
        if display_name:
            user.display_name = display_name
        return user

    def _previews(self, reader: _Reader, addon: Addon) -> None:
        previews = []
        for position, raw in enumerate(reader.get("previews", list, [])):
            preview = reader.item("previews", position, raw)
            previews.append(self._new(
                Preview,
                position=position,
                caption=preview.translations("caption", addon.default_locale),
                image_url=preview.get("image_url", str, required=True),
                thumbnail_url=preview.get("thumbnail_url", str) or preview.get("image_url", str),
                image_size=preview.get("image_size", list, []),
                thumbnail_size=preview.get("thumbnail_size", list, []),
            ))
        self._assign(addon, previews=previews)

    def _version(self, reader: _Reader, addon: Addon, locale: str) -> None:
        number = reader.get("version", str, required=True)
        version = next((v for v in addon.versions if v.version == number), None)
        version_id = reader.get("id", int)
        if version is None:
            if version_id is not None and version_id in self.version_ids:
                reader.fail("id", f"version id {version_id} already belongs to another add-on")
            version = self._new(Version, id=version_id, version=number)
            if version_id is not None:
                self.version_ids.add(version_id)
            addon.versions.append(version)
            self._refer(version, addon=addon)
        reviewed = reader.moment("reviewed")
        self._assign(
            version,
            channel=reader.choice("channel", CHANNELS, Channel.LISTED),
            is_deleted=reader.get("is_deleted", bool, False),
            release_notes=reader.translations("release_notes", locale),
            is_strict_compatibility_enabled=reader.get("is_strict_compatibility_enabled", bool, False),
            reviewed=reviewed,
            created=reader.moment("created") or reviewed or addon.last_updated,
            license=self._license(reader, locale),
        )
        compatibility = []
        for app in reader.get("compatibility", dict, {}):
            if app not in APPLICATIONS:
                reader.fail("compatibility", f"unknown application '{app}'")
            bound = reader.child("compatibility").child(app)
            low, high = bound.get("min", str, "1.0"), bound.get("max", str, "*")
            for field, value in (("min", low), ("max", high)):
                if not appversions.is_valid(value):
                    bound.fail(field, f"'{value}' is not an application version")
            compatibility.append(self._new(
                VersionCompatibility, application=app, min=low, max=high,
                min_int=appversions.version_int(low), max_int=appversions.version_int(high),
            ))
        self._assign(version, compatibility=compatibility, files=[
            self._file(reader.item("files", i, f), version) for i, f in enumerate(reader.get("files", list, []))])

    def _license(self, reader: _Reader, locale: str) -> License | None:
        if not reader.has("license"):
            return None
        license = reader.child("license")
        name, text, url = license.translations("name", locale), license.translations("text", locale), license.get("url", str)
        if not self.fresh:
            return License(name=name, text=text, url=url)
        # A licence row is never changed (an edit makes a new one), so the batch's new versions
        # share one row per licence, as AMO's share its built-in ones: a catalogue names a few
        # licences thousands of times.
        key = (tuple(name.items()), tuple(text.items()), url)
        if key not in self.licenses:
            self.licenses[key] = self._new(License, name=name, text=text, url=url)
        return self.licenses[key]

    def _file(self, reader: _Reader, version: Version) -> File:
        file_id = reader.get("id", int)
        existing = self.files.get(file_id) if file_id is not None else None
        if existing is not None and existing.version_id not in (None, version.id):
            reader.fail("id", f"file id {file_id} already belongs to another version")
        file = existing or self._new(File, id=file_id)
        if file_id is not None:
            self.files[file_id] = file
        self._refer(file, version=version)
        self._assign(
            file,
            hash=reader.get("hash", str),
            size=reader.count("size"),
            status=reader.choice("status", FILE_STATUSES, FileStatus.PUBLIC),
            platform=reader.choice("platform", PLATFORMS, "all"),
            created=reader.moment("created") or version.created,
            permissions=reader.string_list("permissions"),
            optional_permissions=reader.string_list("optional_permissions"),
            host_permissions=reader.string_list("host_permissions"),
            **{flag: reader.get(flag, bool, default) for flag, default in (
                ("is_webextension", True), ("is_restart_required", False), ("is_mozilla_signed_extension", False))},
        )
        return file

    def _featured(self, reader: _Reader, addon: Addon) -> None:
        placements = []
        for index, raw in enumerate(reader.get("featured_for", list, [])):
            placement = reader.item("featured_for", index, raw)
            placements.append((placement.choice("app", tuple(APPLICATIONS)), placement.get("locale", str)))
        if reader.get("is_featured", bool, False) and not placements:
            # Featured with no placement given: featured everywhere it runs, in every language.
            current = newest_public_listed(addon)
            apps = [c.application for c in current.compatibility] if current else []
            placements = [(app, None) for app in apps or ["firefox"]]
        self._assign(addon, featured_placements=[
            self._new(FeaturedPlacement, application=app, locale=locale) for app, locale in dict.fromkeys(placements)
        ])

    def _promoted(self, reader: _Reader, addon: Addon) -> None:
        """`promoted` as AMO's APIs give it: v5's list of groups, or v3/v4's one group or null."""
        value = reader.get("promoted", (list, dict), [])
        groups = [value] if isinstance(value, dict) else value
        rows = []
        for index, raw in enumerate(groups):
            group = reader.item("promoted", index, raw) if isinstance(value, list) else reader.child("promoted")
            category = group.choice("category", tuple(PROMOTED_GROUPS))
            apps = group.string_list("apps")
            if not apps:
                group.fail("apps", "must name the applications the add-on is promoted for")
            for app in dict.fromkeys(apps):
                if app not in PROMOTED_APPLICATIONS:
                    group.fail("apps", f"'{app}' is not one of {', '.join(PROMOTED_APPLICATIONS)}")
                rows.append(self._new(PromotedAddon, group=category, application=app))
        self._assign(addon, promotions=list({(row.group, row.application): row for row in rows}.values()))

    def _new(self, model: type, **values):
        """A new row object. For a new add-on it is a plain object shaped as the model
        (_plain_class), without the ORM's state (see is_instrumented): nothing it builds is ever
        in the session (write() inserts it with Core), so the ORM's attribute events would
        record history that nothing reads, and its state would make every row a reference cycle
        for the garbage collector (the two were most of an import's time). It holds every
        attribute, so it reads as an ORM object does. For a stored add-on it is an ORM object as
        usual: the session's flush writes it."""
        if not self.fresh:
            return model(**values)
        row = _plain_class(model)()
        attributes = row.__dict__
        attributes.update(_unset_scalars(model.__mapper__))
        for collection in _collections(model.__mapper__):
            attributes[collection] = []
        attributes.update(values)
        return row

    def _refer(self, row, **parents) -> None:
        """Gives a new add-on's row the parents the ORM's back_populates would have set."""
        if self.fresh:
            row.__dict__.update(parents)

    def _assign(self, row, **values) -> None:
        """Sets fields of a row: straight into __dict__ for a new add-on's (see _new)."""
        if self.fresh:
            row.__dict__.update(values)
        else:
            for field, value in values.items():
                setattr(row, field, value)

    def replacement(self, reader: _Reader) -> None:
        guid = reader.get("guid", str, required=True)
        row = self.session.scalar(select(ReplacementAddon).where(ReplacementAddon.guid == guid))
        if row is None:
            row = ReplacementAddon(guid=guid)
            self.session.add(row)
        row.replacement_guids = reader.string_list("replacement")

    def compat_override(self, reader: _Reader) -> None:
        guid = reader.get("addon_guid", str, required=True)
        row = self.session.scalar(select(CompatOverride).where(CompatOverride.addon_guid == guid))
        if row is None:
            row = CompatOverride(addon_guid=guid)
            self.session.add(row)
        row.name = reader.get("name", str, "")
        ranges = []
        for index, raw in enumerate(reader.get("version_ranges", list, [])):
            version_range = reader.item("version_ranges", index, raw)
            applications = []
            for app_index, raw_app in enumerate(version_range.get("applications", list, [])):
                application = version_range.item("applications", app_index, raw_app)
                known = APPLICATIONS.get((application.get("name", str) or "").lower()) or next(
                    (a for a in APPLICATIONS.values()
                     if a.guid == application.get("guid", str) or a.pretty == application.get("name", str)), None)
                if known is None:
                    application.fail("name", "unknown application")
                applications.append({
                    "name": known.pretty, "id": known.id, "guid": known.guid,
                    "min_version": application.get("min_version", str, "0"),
                    "max_version": application.get("max_version", str, "*"),
                })
            ranges.append({
                "addon_min_version": version_range.get("addon_min_version", str, "0"),
                "addon_max_version": version_range.get("addon_max_version", str, "*"),
                "applications": applications,
            })
        row.version_ranges = ranges
