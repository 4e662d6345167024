"""The `addonhub` command.

Commands import what they need when they run: `validate` and `verify` must start fast, and the
database and settings libraries alone take a third of a second to import.
"""

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path


def _settings(args):
    from addonhub.config import Settings
    overrides = {key: value for key, value in vars(args).items()
                 if key in Settings.model_fields and value is not None}
    return Settings(**overrides)


def _store(args):
    from addonhub.store import Store
    return Store(_settings(args))


def _secrets(args):
    """The store's secrets without migrating or opening the rest of the store (signing commands)."""
    from addonhub.db import Database
    from addonhub.store_secrets import open_secrets
    settings = _settings(args)
    return open_secrets(settings, Database(settings.effective_database_url))


def serve(args) -> int:
    from addonhub.api.app import create_app
    from addonhub.jobs import WorkerThreads
    from addonhub.logs import configure_logging
    from addonhub.server import TLSSetupError, tls_options
    from addonhub.server import serve as run_server
    from addonhub.workflows import give_up_handlers, handlers, periodic_jobs
    store = _store(args)
    settings = store.settings
    try:
        scheme = "https" if tls_options(settings) else "http"
    except TLSSetupError as error:
        print(f"addonhub: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_format)
    workers = WorkerThreads(store.db, handlers(store), settings.workers, give_up_handlers(),
                            periodic_jobs(settings)).start()
    print(f"addonhub is serving {settings.data_dir} on {scheme}://{settings.host}:{settings.port}/", flush=True)
    try:
        run_server(create_app(store), settings)
    finally:
        workers.stop()
    return 0


def worker(args) -> int:
    import signal
    import threading

    from addonhub.jobs import Worker
    from addonhub.logs import configure_logging
    from addonhub.workflows import give_up_handlers, handlers, periodic_jobs
    store = _store(args)
    configure_logging(store.settings.log_format)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    running = Worker(store.db, handlers(store), give_up=give_up_handlers(), periodic=periodic_jobs(store.settings))
    running.reclaim_orphans_safely()
    print(f"addonhub worker is running the jobs of {store.settings.data_dir}", flush=True)
    running.run_until(stop)
    return 0


def _review_target(session, args):
    from addonhub.submissions.review import pending_version
    return pending_version(session, args.addon, args.version)


def review_list(args) -> int:
    from addonhub.submissions.review import queue_entry, review_queue
    store = _store(args)
    with store.db.session() as session:
        entries = [queue_entry(version) for version in review_queue(session)]
    if args.json:
        print(json.dumps(entries))
        return 0
    if not entries:
        print("No version awaits review.")
    for entry in entries:
        print(f"{entry['addon']['guid']}  {entry['version']}  {entry['addon']['name']}  (submitted {entry['created']})")
    return 0


def admin_change(args) -> int:
    """Disables or enables an add-on or one of its versions store-wide, as the store's operator."""
    from addonhub.refusals import Refused
    from addonhub.submissions import administration
    store = _store(args)
    try:
        with store.db.session() as session:
            target = administration.named_target(session, args.addon, getattr(args, "version", None))
            change = {"disable_addon": administration.disable_addon, "enable_addon": administration.enable_addon,
                      "disable_version": administration.disable_version,
                      "enable_version": administration.enable_version}[args.change]
            change(session, target, None, args.reason)
            named = f"{target.addon.guid} {target.version}" if args.change.endswith("_version") else target.guid
    except Refused as refusal:
        print(f"addonhub: {refusal.message}", file=sys.stderr)
        return 1
    print(f"{'Disabled' if args.change.startswith('disable') else 'Enabled'} {named}.")
    return 0


def activity_log(args) -> int:
    """Prints the activity log, newest first, as a table (or JSON lines' worth in one array)."""
    from addonhub.accounts.service import user_by_email
    from addonhub.activity.service import ACTIONS, LogFilter, entries
    from addonhub.catalog.service import find_addon_by_any_id
    if args.action is not None and args.action not in ACTIONS:
        print(f"addonhub: no action {args.action!r}; the actions are {', '.join(ACTIONS)}", file=sys.stderr)
        return 1
    store = _store(args)
    with store.db.session() as session:
        addon = user = None
        if args.addon is not None and (addon := find_addon_by_any_id(session, args.addon)) is None:
            print(f"addonhub: no add-on {args.addon!r}", file=sys.stderr)
            return 1
        if args.user is not None and (user := user_by_email(session, args.user)) is None:
            print(f"addonhub: no account with e-mail {args.user}", file=sys.stderr)
            return 1
        rows = [{"created": entry.created.isoformat(sep=" ", timespec="seconds"), "action": entry.action,
                 "user": entry.user_name or "(store)", "addon": entry.addon_guid or "",
                 "version": entry.version_string or "", "notes": entry.notes or "", "details": entry.details}
                for entry in entries(session, LogFilter(addon=addon, user=user, since=args.since, action=args.action,
                                                         limit=args.limit))]
    if args.json:
        print(json.dumps(rows))
        return 0
    if not rows:
        print("No activity.")
        return 0
    # The details (an account changed, the statuses a change replaced...) are for --json.
    columns = ("created", "action", "user", "addon", "version", "notes")
    widths = {column: max(len(column), *(len(row[column]) for row in rows)) for column in columns[:-1]}
    print("  ".join(column.upper().ljust(widths.get(column, 0)) for column in columns).rstrip())
    for row in rows:
        print("  ".join(row[column].ljust(widths.get(column, 0)) for column in columns).rstrip())
    return 0


def abuse_list(args) -> int:
    """Prints abuse reports, newest first: those on one add-on (by any of its ids), or all."""
    from addonhub.abuse.serializers import report_object
    from addonhub.abuse.service import reports
    from addonhub.catalog.service import find_addon_by_any_id
    store = _store(args)
    with store.db.session() as session:
        addon = None
        if args.addon is not None and (addon := find_addon_by_any_id(session, args.addon)) is None:
            print(f"addonhub: no add-on {args.addon!r}", file=sys.stderr)
            return 1
        found = [(report.created.isoformat(sep=" ", timespec="seconds"), report_object(report))
                 for report in reports(session, addon, args.limit)]
    if args.json:
        print(json.dumps([{"created": created, **body} for created, body in found]))
        return 0
    if not found:
        print("No abuse report.")
    for created, body in found:
        reporter = body["reporter"]["username"] if body["reporter"] else "anonymous"
        print(f"{created}  {body['addon']['guid']}  {body['reason'] or '-'}  {reporter}: {body['message']}")
    return 0


def _since(text: str) -> datetime:
    """--since: an ISO date or date and time (UTC)."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date such as 2026-12-01 or 2026-12-01T14:00") from None


def review_decide(args) -> int:
    from addonhub.catalog.constants import FileStatus
    from addonhub.catalog.models import File
    from addonhub.jobs import Worker
    from addonhub.workflows import give_up_handlers, handlers
    from addonhub.submissions.review import approve, reject
    from addonhub.refusals import Refused
    from sqlalchemy import select
    store = _store(args)
    try:
        with store.db.session() as session:
            version = _review_target(session, args)
            if args.decision == "approve":
                approve(session, version, None, args.notes)
            else:
                reject(session, version, None, args.notes)
            version_id, guid, number = version.id, version.addon.guid, version.version
    except Refused as refusal:
        print(f"addonhub: {refusal.message}", file=sys.stderr)
        return 1
    if args.decision == "reject":
        print(f"Rejected {guid} {number}.")
        return 0
    # Sign and publish now rather than wait for a server's workers (whichever claims the job runs it).
    Worker(store.db, handlers(store), give_up=give_up_handlers()).drain()
    with store.db.session() as session:
        statuses = set(session.scalars(select(File.status).where(File.version_id == version_id)))
    if statuses == {FileStatus.PUBLIC}:
        print(f"Approved {guid} {number}: signed and published.")
    else:
        print(f"Approved {guid} {number}: queued for signing; it is published once a worker has signed it.")
    return 0


def _new_account(session, store, email: str, role: str) -> dict:
    """An account with every credential it can use, as `users create --json` prints it."""
    from addonhub.accounts.edge_credentials import issue_edge_credentials
    from addonhub.accounts.keys import issue_key
    from addonhub.accounts.service import create_user, issue_token
    user = create_user(session, email, role)
    token = issue_token(session, user)
    credentials = issue_key(session, store.key_cipher, user)
    edge = issue_edge_credentials(session, user)
    return {"id": user.id, "email": user.email, "username": user.username, "role": user.role, "token": token,
            "amo": credentials.as_amo_json(), "edge": edge.as_json()}


def users_create(args) -> int:
    from addonhub.accounts.service import AccountError
    store = _store(args)
    try:
        with store.db.session() as session:
            result = _new_account(session, store, args.email, args.role)
    except AccountError as error:
        print(f"addonhub: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(result))
    else:
        amo, edge = result["amo"], result["edge"]
        print(f"Created {result['role']} {result['email']} (id {result['id']}); API token: {result['token']}")
        print(f"AMO API key (JWT issuer and secret): {amo['jwt_issuer']} {amo['jwt_secret']}")
        print(f"Edge API credentials (client id, client secret, API key): {edge['client_id']} "
              f"{edge['client_secret']} {edge['api_key']}")
    return 0


def users_invite(args) -> int:
    """Prints a sign-up link for one address; only the link carries the token."""
    from datetime import timedelta

    from addonhub.accounts.signup import invite
    from addonhub.refusals import Refused
    store = _store(args)
    settings = store.settings
    try:
        with store.db.session() as session:
            token = invite(session, settings.signup, args.email, timedelta(days=settings.invitation_days))
    except Refused as refusal:
        print(f"addonhub: {refusal.message}", file=sys.stderr)
        return 1
    link = f"{_links_base_url(args, settings)}/signup?invite={token}"
    if settings.signup == "open":
        print("(Sign-up is open: anyone may sign up; the invitation fixes the address.)", file=sys.stderr)
    print(link)
    return 0


def _read_password(args) -> str:
    """From --password-file, else stdin: asked twice on a terminal, else its first line. Never
    from argv, which other users of the machine can read (ps, /proc) and shells keep in history."""
    import getpass
    if args.password_file:
        lines = Path(args.password_file).read_text(encoding="utf-8").splitlines()
        return lines[0] if lines else ""
    if sys.stdin.isatty():
        password = getpass.getpass("New password: ")
        if getpass.getpass("Again: ") != password:
            raise ValueError("the two passwords differ")
        return password
    return sys.stdin.readline().rstrip("\r\n")


def users_set_password(args) -> int:
    """Gives an account a password (or a new one, which ends its web sessions)."""
    from addonhub.accounts.passwords import set_password
    from addonhub.accounts.signup import user_with_email
    from addonhub.refusals import Refused
    try:
        password = _read_password(args)
    except (OSError, ValueError) as error:
        print(f"addonhub: {error}", file=sys.stderr)
        return 1
    store = _store(args)
    try:
        with store.db.session() as session:
            user = user_with_email(session, args.email)
            if user is None:
                print(f"addonhub: no account has the e-mail address {args.email}", file=sys.stderr)
                return 1
            set_password(user, password)
    except Refused as refusal:
        print(f"addonhub: {refusal.message}", file=sys.stderr)
        return 1
    print(f"Set the password of {user.email}: it can log in on the web.")
    return 0


def _as_operator(args, act) -> int:
    """Runs act(session), a change of the store's operator, in one transaction, then prints what
    it returns; a refusal is printed instead (exit 1), and nothing of the change is kept."""
    from addonhub.refusals import Refused
    store = _store(args)
    try:
        with store.db.session() as session:
            said = act(session)
    except Refused as refusal:
        print(f"addonhub: {refusal.message}", file=sys.stderr)
        return 1
    print(said)
    return 0


def users_administer(args) -> int:
    """Changes an account's role, or disables or enables it, as the store's operator."""
    from addonhub.accounts import administration
    from addonhub.accounts.signup import user_with_email
    from addonhub.refusals import NOT_FOUND, Refused

    def act(session) -> str:
        user = user_with_email(session, args.email)
        if user is None:
            raise Refused(NOT_FOUND, f"no account has the e-mail address {args.email}")
        if args.action == "set-role":
            administration.set_role(session, user, args.role, None)
            return f"{user.email} is now {user.role}."
        if args.action == "disable":
            administration.disable_account(session, user, None, args.reason)
            return f"Disabled {user.email}: it cannot log in and its credentials no longer work."
        administration.enable_account(session, user, None, args.reason)
        return f"Enabled {user.email}."
    return _as_operator(args, act)


def keys_rotate(args) -> int:
    """Revokes the account's AMO API key (or, with --edge, its Edge credentials) and issues new ones."""
    from addonhub.accounts.edge_credentials import rotate_edge_credentials
    from addonhub.accounts.keys import rotate_key
    from addonhub.accounts.service import user_by_email
    store = _store(args)
    with store.db.session() as session:
        user = user_by_email(session, args.email)
        if user is None:
            print(f"addonhub: no account with e-mail {args.email}", file=sys.stderr)
            return 1
        if args.edge:
            edge = rotate_edge_credentials(session, user)
            result = {"id": user.id, "email": user.email, "edge": edge.as_json()}
            summary = (f"New Edge API credentials for {user.email} (id {user.id}), the old ones and their access "
                       f"tokens revoked: {edge.client_id} {edge.client_secret} {edge.api_key}")
        else:
            credentials = rotate_key(session, store.key_cipher, user)
            result = {"id": user.id, "email": user.email, "amo": credentials.as_amo_json()}
            summary = (f"New AMO API key for {user.email} (id {user.id}), the old one revoked: "
                       f"{credentials.issuer} {credentials.secret}")
    print(json.dumps(result) if args.json else summary)
    return 0


def products_create(args) -> int:
    from addonhub.accounts.service import user_by_email
    from addonhub.distribution.chromium import create_key, import_key
    from addonhub.edge.products import ProductError, create_product
    from addonhub.refusals import Refused
    pem = _read_key(args.key) if args.key else None
    if args.key and pem is None:
        return 1
    store = _store(args)
    try:
        with store.db.session() as session:
            owner = user_by_email(session, args.owner)
            if owner is None:
                raise ProductError(f"no account with e-mail {args.owner}")
            addon = create_product(session, owner, args.name)
            chromium_id = (import_key(session, store.key_cipher, addon, pem) if pem is not None
                           else create_key(session, store.key_cipher, addon))
            result = {"id": addon.edge_product_id, "name": args.name.strip(), "addon_id": addon.id,
                      "guid": addon.guid, "chromium_id": chromium_id}
    except (ProductError, Refused) as error:
        print(f"addonhub: {error}", file=sys.stderr)
        return 1
    print(json.dumps(result) if args.json else result["id"])
    return 0


def _links_base_url(args, settings) -> str:
    return (args.base_url or settings.base_url or f"http://{settings.host}:{settings.port}").rstrip("/")


def links_command(args) -> int:
    """Prints (and with `rotate`, first renews) an add-on's Firefox update and install links."""
    from addonhub.distribution.firefox import firefox_links, rotate_links
    from addonhub.packages.validation import ADDON_ID
    if not ADDON_ID.match(args.guid) or len(args.guid) > 255:
        print(f"addonhub: {args.guid!r} is not an add-on id (an e-mail-like id or a {{uuid}})", file=sys.stderr)
        return 2
    store = _store(args)
    with store.db.session() as session:
        if args.action == "rotate":
            rotate_links(session, store.secret_key, args.guid)
        links = firefox_links(session, store.secret_key, _links_base_url(args, store.settings), args.guid)
    if args.json:
        print(json.dumps(links.as_json()))
    else:
        print(f"update_url: {links.update_url}\ninstall_url: {links.install_url}")
    return 0


def products_set_key(args) -> int:
    from addonhub.catalog.service import find_addon_by_any_id
    from addonhub.distribution.chromium import import_key
    from addonhub.refusals import NOT_FOUND, Refused
    pem = _read_key(args.key)
    if pem is None:
        return 1
    store = _store(args)
    try:
        with store.db.session() as session:
            addon = find_addon_by_any_id(session, args.product)
            if addon is None:
                raise Refused(NOT_FOUND, f"no product or add-on {args.product}")
            chromium_id = import_key(session, store.key_cipher, addon, pem)
    except Refused as error:
        print(f"addonhub: {error}", file=sys.stderr)
        return 1
    print(json.dumps({"id": addon.edge_product_id, "chromium_id": chromium_id}) if args.json else chromium_id)
    return 0


def _promotion_line(addon) -> str:
    from addonhub.catalog.promoted import promotions
    groups = promotions(addon)
    described = "; ".join(f"{group['category']} ({', '.join(group['apps'])})" for group in groups)
    return f"{addon.slug}  {addon.guid}  {described or 'in no promoted group'}"


def promoted_command(args) -> int:
    from addonhub.catalog.promoted import demote, promote, promoted_addons, promotions
    from addonhub.refusals import Refused
    store = _store(args)
    try:
        with store.db.session() as session:
            if args.action == "list":
                addons = promoted_addons(session, args.group)
                if args.json:
                    print(json.dumps([{"id": addon.id, "guid": addon.guid, "slug": addon.slug,
                                       "promoted": promotions(addon)} for addon in addons]))
                else:
                    print("\n".join(_promotion_line(addon) for addon in addons) or "No add-on is promoted.")
                return 0
            if args.action == "set":
                addon = promote(session, args.addon, args.group, args.app)
            else:
                addon = demote(session, args.addon, args.group)
            print(_promotion_line(addon))
    except Refused as refusal:
        print(f"addonhub: {refusal.message}", file=sys.stderr)
        return 1
    return 0


def _override_lines(overrides) -> list[str]:
    """Each range of each override on a line, numbered from 1 within its override as `remove` takes it."""
    return [f"{override.addon_guid}  {position}  versions {span['addon_min_version']} to {span['addon_max_version']}"
            f"  incompatible with " + "; ".join(f"{app['name']} {app['min_version']} to {app['max_version']}"
                                                for app in span["applications"])
            for override in overrides for position, span in enumerate(override.version_ranges, 1)]


def compat_overrides_command(args) -> int:
    """Lists, adds and removes compat overrides, as admins do in the reviewer console."""
    from sqlalchemy import select

    from addonhub.catalog import compat_overrides
    from addonhub.catalog.models import CompatOverride

    def act(session) -> str:
        if args.action == "list":
            overrides = compat_overrides.compat_overrides(session)
            if args.json:
                return json.dumps([{"addon_guid": row.addon_guid, "name": row.name,
                                    "version_ranges": row.version_ranges} for row in overrides])
            return "\n".join(_override_lines(overrides)) or "No compat override."
        if args.action == "add":
            version_range = compat_overrides.IncompatibleRange(args.addon_min, args.addon_max, args.app,
                                                               args.app_min, args.app_max)
            return "\n".join(_override_lines([compat_overrides.add_range(session, args.addon, version_range, None)]))
        override_id = session.scalar(select(CompatOverride.id).where(CompatOverride.addon_guid == args.guid))
        guid = compat_overrides.remove_range(session, override_id, args.position - 1, None)
        return f"Removed range {args.position} of {guid}."
    return _as_operator(args, act)


def featured_command(args) -> int:
    """Lists, adds and removes featured placements, as admins do in the reviewer console."""
    from addonhub.catalog import featured

    def act(session) -> str:
        if args.action == "list":
            placements = featured.placements(session)
            if args.json:
                return json.dumps([{"id": p.id, "addon": {"id": p.addon.id, "guid": p.addon.guid, "slug": p.addon.slug},
                                    "app": p.application, "locale": p.locale} for p in placements])
            return "\n".join(_placement_line(p) for p in placements) or "No add-on is featured."
        if args.action == "add":
            return _placement_line(featured.feature(session, args.addon, args.app, args.locale, None))
        return "Removed: " + _placement_line(featured.unfeature(session, args.id, None))
    return _as_operator(args, act)


def _placement_line(placement) -> str:
    return f"{placement.id}  {placement.addon.slug}  {placement.application}  {placement.locale or 'every language'}"


def _read_key(path: str) -> bytes | None:
    """A PEM file's bytes, or None (having said why) when it cannot be read."""
    try:
        return Path(path).read_bytes()
    except OSError as error:
        print(f"addonhub: cannot read {path}: {error.strerror}", file=sys.stderr)
        return None


def import_file(args) -> int:
    import orjson
    from addonhub.catalog.importer import CatalogueImportError, import_catalogue, parse_catalogue
    try:
        data = parse_catalogue(Path(args.file).read_bytes())
    except (OSError, orjson.JSONDecodeError) as error:
        print(f"addonhub: cannot read {args.file}: {error}", file=sys.stderr)
        return 1
    store = _store(args)
    terminal = _progress()  # as a backup shows it: on a terminal only
    progress = (lambda done, total: terminal("Importing add-ons", done, total)) if terminal else None
    try:
        with store.db.session() as session:
            counts = import_catalogue(session, data, progress)
    except CatalogueImportError as error:
        if terminal:
            terminal.finish()
        print(f"addonhub: nothing imported: {error}", file=sys.stderr)
        return 1
    if terminal:
        terminal.finish()
    print(f"Imported {counts['addons']} add-ons, {counts['replacement_addons']} replacements, "
          f"{counts['compat_overrides']} compat overrides.")
    return 0


def demo(args) -> int:
    from addonhub.catalog.models import Addon
    from addonhub.demo import load_demo_catalogue, publish_demo_product
    from addonhub.private_files import read_or_create
    from sqlalchemy import func, select
    store = _store(args)
    with store.db.session() as session:
        if session.scalar(select(func.count()).select_from(Addon)):
            print("The store already has add-ons; the demo catalogue goes only into an empty store.")
            return 0
        counts = load_demo_catalogue(session, store.blobs, lambda: store.signing_ca)
        developer = _new_account(session, store, "developer@demo.example", "developer")
        reviewer = _new_account(session, store, "reviewer@demo.example", "reviewer")
    accounts = {"developer": developer, "reviewer": reviewer,
                "edge_product_id": publish_demo_product(store, developer["id"], reviewer["id"])}
    # The secrets are shown only once, so they are kept for the demo's user, readable by them alone.
    path = store.settings.data_dir / "demo-accounts.json"
    read_or_create(path, lambda: json.dumps(accounts, indent=2).encode())
    amo = developer["amo"]
    print(f"Loaded the demo catalogue: {counts['addons']} add-ons with {counts['packages']} packages, an Edge "
          f"product, a developer and a reviewer account "
          f"(their credentials are in {path}). To sign an add-on as the developer:\n"
          f"  web-ext sign --amo-base-url http://127.0.0.1:8000/api/v5/ --api-key '{amo['jwt_issuer']}' "
          f"--api-secret {amo['jwt_secret']} --channel unlisted")
    return 0


def validate(args) -> int:
    from pydantic import ValidationError

    from addonhub.packages.validation import UnreadablePackage, ValidationOptions, validate_package
    try:
        settings = _settings(args)
    except ValidationError as error:
        problem = error.errors()[0]
        print(f"addonhub: ADDONHUB_{str(problem['loc'][0]).upper()} is {problem['input']!r}: {problem['msg']}",
              file=sys.stderr)
        return 2
    options = ValidationOptions(listed=not args.unlisted, target=args.target, limits=settings.archive_limits(),
                                time_budget=settings.validation_time_budget, addons_linter=settings.addons_linter,
                                store_base_url=settings.base_url)
    try:
        report = validate_package(args.file, options)
    except (UnreadablePackage, OSError) as error:
        print(f"addonhub: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.as_amo_json(), indent=2))
    else:
        for message in report.messages:
            where = f"{message.file}:{message.line}" if message.line else (message.file or "")
            print(f"{message.type:8} {message.code:32} {where}  {message.message}")
        print(f"{report.count('error')} errors, {report.count('warning')} warnings, {report.count('notice')} notices")
    return 1 if report.has_errors else 0


def sign_package(args) -> int:
    from addonhub.packages.archive import ArchiveError
    from addonhub.signing import SigningError
    from addonhub.signing.xpi import sign_xpi
    from addonhub.store_secrets import StoreSecretsError
    try:
        ca = _secrets(args).signing_ca()
        certificate = sign_xpi(ca, args.file, args.id, args.output)
    except ArchiveError as error:
        print(f"addonhub: cannot read {args.file}: {error.message}", file=sys.stderr)
        return 2
    except (SigningError, StoreSecretsError, OSError) as error:
        print(f"addonhub: cannot sign {args.file}: {error}", file=sys.stderr)
        return 1
    print(f"Signed {args.output} for {args.id} (certificate serial {certificate.serial_number:x}).")
    return 0


def verify_package(args) -> int:
    from addonhub.packages.archive import ArchiveError
    from addonhub.signing import SigningError
    from addonhub.signing.verify import verify_xpi
    from addonhub.store_secrets import StoreSecretsError
    try:
        root_pem = args.root.read_bytes() if args.root else _secrets(args).root_pem()
        problems = verify_xpi(args.file, root_pem, args.id)
    except ArchiveError as error:
        print(f"addonhub: cannot read {args.file}: {error.message}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"addonhub: cannot read {error.filename}: {error.strerror}", file=sys.stderr)
        return 2
    except (SigningError, StoreSecretsError) as error:
        print(f"addonhub: {error}", file=sys.stderr)
        return 2
    if problems:
        print(f"{args.file}: the signatures are not valid:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        if root_pem is None:
            print("Give the root to trust with --root PEM, or the --data-dir of the store that signed it.",
                  file=sys.stderr)
        return 1
    print(f"{args.file}: the signatures are valid" + (f" for {args.id}." if args.id else "."))
    return 0


def signing_export_root(args) -> int:
    from addonhub.signing import SigningError
    from addonhub.store_secrets import StoreSecretsError
    try:
        ca = _secrets(args).signing_ca()
    except (SigningError, StoreSecretsError, OSError) as error:
        print(f"addonhub: {error}", file=sys.stderr)
        return 1
    sys.stdout.write(ca.root_pem().decode("ascii"))
    return 0


class _TerminalProgress:
    """Progress on stderr when it is a terminal; a log or a pipe gets only the summary."""

    def __init__(self):
        self.stage = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage and self.stage is not None:
            print(file=sys.stderr)
        self.stage = stage
        print(f"\r{stage}: {100 * done // total if total else 100:3d}%", end="", file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self.stage is not None:
            print(file=sys.stderr)


def _progress():
    return _TerminalProgress() if sys.stderr.isatty() else None


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def backup_command(args) -> int:
    match args.archive:
        case ["verify", archive]:
            return backup_verify(Path(archive))
        case [out] if out != "verify":
            return backup_create(args, Path(out))
    args.usage_error("give OUT, the archive to write, or `verify IN`")


def backup_create(args, out: Path) -> int:
    from addonhub.backup import BackupError, backup
    progress = _progress()
    try:
        settings = _settings(args)
        summary = backup(settings, out, progress)
    except (BackupError, OSError) as error:
        print(f"addonhub: cannot back up: {error}", file=sys.stderr)
        return 1
    finally:
        if progress is not None:
            progress.finish()
    for key in summary.missing_blobs:
        print(f"addonhub: blob {key}, which the database refers to, was deleted before it could be copied",
              file=sys.stderr)
    missing = f", {len(summary.missing_blobs)} referenced blobs gone" if summary.missing_blobs else ""
    print(f"Backed up {settings.data_dir} to {summary.archive}: database of {summary.pages} pages, "
          f"{summary.blobs} blobs ({_megabytes(summary.blob_bytes)}){missing}.")
    return 0


def _print_problems(archive: Path, problems: list[str]) -> None:
    print(f"{archive}: {len(problems)} problems:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)


def _print_missing_blobs(check) -> None:
    for key in check.missing_blobs:
        print(f"note: blob {key}, which the database refers to, was deleted while the backup ran",
              file=sys.stderr)


def backup_verify(archive: Path) -> int:
    from addonhub.backup import verify
    progress = _progress()
    try:
        check = verify(archive, progress)
    finally:
        if progress is not None:
            progress.finish()
    if check.problems:
        _print_problems(archive, check.problems)
        return 1
    _print_missing_blobs(check)
    print(f"{archive}: a sound backup of {check.created}: database of {check.pages} pages, {check.blobs} blobs "
          f"({_megabytes(check.blob_bytes)}).")
    return 0


def restore_command(args) -> int:
    from addonhub.backup import BackupError, InvalidArchive, restore
    progress = _progress()
    try:
        settings = _settings(args)
        check = restore(settings, args.archive, progress)
    except InvalidArchive as error:
        _print_problems(args.archive, error.problems)
        print(f"addonhub: nothing was restored into {settings.data_dir}", file=sys.stderr)
        return 1
    except (BackupError, OSError) as error:
        print(f"addonhub: cannot restore: {error}", file=sys.stderr)
        return 1
    finally:
        if progress is not None:
            progress.finish()
    _print_missing_blobs(check)
    print(f"Restored the backup of {check.created} into {settings.data_dir}: database of {check.pages} pages, "
          f"{check.blobs} blobs ({_megabytes(check.blob_bytes)}).")
    return 0


def migrate_store_command(args) -> int:
    from addonhub.store_migration import MigrationError, migrate_store
    progress = _progress()
    try:
        destination = _settings(args).model_copy(update={"database_url": args.to_database, "blob_url": args.to_blobs})
        summary = migrate_store(args.source, destination, progress)
    except (MigrationError, OSError) as error:
        print(f"addonhub: cannot move the store: {error}", file=sys.stderr)
        return 1
    finally:
        if progress is not None:
            progress.finish()
    rows = sum(source for source, _ in summary.rows.values())
    if summary.problems:
        print(f"{len(summary.problems)} differences between {args.source} and its copy:", file=sys.stderr)
        for problem in summary.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    done = "was already copied; verified" if summary.already_complete else "copied and verified"
    print(f"{args.source} {done}: {len(summary.rows)} tables, {rows} rows, {summary.blobs} blobs "
          f"({_megabytes(summary.blob_bytes)}) with their SHA-256. Serve it with ADDONHUB_DATABASE_URL, "
          f"ADDONHUB_BLOB_URL and this ADDONHUB_ENCRYPTION_KEY.")
    return 0


def _existing_store(args):
    """The store in --data-dir, or None (said on stderr) when there is none: maintenance commands
    must not create one."""
    settings = _settings(args)
    if not settings.data_dir.is_dir():
        print(f"addonhub: no store in {settings.data_dir}", file=sys.stderr)
        return None
    from addonhub.store import Store
    return Store(settings)


def _bytes(size: int) -> str:
    return f"{size} bytes" if size < 1024 * 1024 else f"{size / (1024 * 1024):.1f} MiB"


def cleanup(args) -> int:
    from addonhub.cleanup import CleanupPolicy, clean_up
    store = _existing_store(args)
    if store is None:
        return 2
    policy = CleanupPolicy.from_settings(store.settings)
    report = clean_up(store.db, store.blobs, policy, dry_run=args.dry_run)
    verb = "Would remove" if args.dry_run else "Removed"
    for what, removed in (("expired uploads", report.uploads), ("orphan blobs", report.orphans),
                          ("unfinished writes", report.unfinished), ("blobs in all", report.total)):
        print(f"{verb} {removed.count} {what}: {_bytes(removed.bytes)}")
    return 0


def check(args) -> int:
    from collections import Counter

    from addonhub.integrity import KINDS, check_store
    store = _existing_store(args)
    if store is None:
        return 2
    problems = check_store(store.db, store.blobs)
    counts = Counter(problem.kind for problem in problems)
    if args.json:
        print(json.dumps({"problems": [problem.as_json() for problem in problems],
                          "summary": {kind: counts[kind] for kind in KINDS}}))
    else:
        for problem in problems:
            size = f" ({_bytes(problem.size)})" if problem.size is not None else ""
            print(f"{problem.kind}  {problem.subject}{size}: {problem.detail}")
        print(", ".join(f"{counts[kind]} {kind}" for kind in KINDS if counts[kind]) + f": {len(problems)} problems"
              if problems else "No problems found.")
    return 1 if problems else 0


def policy_command(args) -> int:
    """Prints the enterprise policy that installs the store's add-ons in one browser family."""
    from addonhub.distribution.policies import CHROMIUM, PolicyRequest, chromium_policy, firefox_policy
    from addonhub.refusals import Refused
    store = _existing_store(args)
    if store is None:
        return 2
    if not store.settings.base_url:
        print("addonhub: give --base-url (or set ADDONHUB_BASE_URL): browsers fetch everything from the store's "
              "public URL", file=sys.stderr)
        return 2
    try:
        with store.db.session() as session:
            wanted = PolicyRequest(store.settings.base_url, tuple(args.addon), args.mode,
                                   getattr(args, "certificate", None))
            policy = (chromium_policy(session, wanted) if args.browser == CHROMIUM
                      else firefox_policy(session, store.blobs, store.secret_key, wanted))
    except Refused as refusal:
        print(f"addonhub: {refusal.message}", file=sys.stderr)
        return 1
    for warning in policy.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(json.dumps(policy.document, indent=2))
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="addonhub", description="A self-hosted browser add-on store.")
    commands = root.add_subparsers(dest="command", required=True)

    def command(parent, name: str, handler, help: str) -> argparse.ArgumentParser:
        sub = parent.add_parser(name, help=help, description=help)
        sub.add_argument("--data-dir", type=Path, help="the store's directory (default ./data, or ADDONHUB_DATA_DIR)")
        sub.set_defaults(handler=handler)
        return sub

    serving = command(commands, "serve", serve, "Serve the store over HTTP.")
    serving.add_argument("--host")
    serving.add_argument("--port", type=int)
    serving.add_argument("--base-url", help="public URL for absolute links (default: the request's host)")
    serving.add_argument("--tls-cert", type=Path, metavar="PEM",
                         help="serve HTTPS with this certificate (chain); needs --tls-key (default: plain HTTP)")
    serving.add_argument("--tls-key", type=Path, metavar="PEM", help="the certificate's private key (PEM)")

    command(commands, "worker", worker, "Run the job queue's work (validation, signing) in this process.")

    reviews = commands.add_parser("review", help="Review listed submissions.").add_subparsers(dest="action", required=True)
    listing = command(reviews, "list", review_list, "List the versions awaiting review, oldest first.")
    listing.add_argument("--json", action="store_true")
    approving = command(reviews, "approve", review_decide, "Approve a version: it is signed and published.")
    rejecting = command(reviews, "reject", review_decide, "Reject a version; its developer sees the notes.")
    for decision, sub in (("approve", approving), ("reject", rejecting)):
        sub.set_defaults(decision=decision)
        sub.add_argument("addon", help="the add-on's id, slug or guid")
        sub.add_argument("version", help="the version string")
        sub.add_argument("--notes", required=decision == "reject", help="notes for the developer")

    admin = commands.add_parser("admin", help="Disable or enable add-ons and versions store-wide.").add_subparsers(
        dest="action", required=True)
    for change, help in (("disable_addon", "Disable an add-on: it leaves listings, downloads and update checks."),
                         ("enable_addon", "Enable an add-on the store disabled: it gets its status back."),
                         ("disable_version", "Disable a version: its files leave downloads and update checks."),
                         ("enable_version", "Enable a version the store disabled: its files get their status back.")):
        sub = command(admin, change.replace("_", "-"), admin_change, help)
        sub.set_defaults(change=change)
        sub.add_argument("addon", help="the add-on's id, slug or guid")
        if change.endswith("_version"):
            sub.add_argument("version", help="the version string or id")
        sub.add_argument("--reason", required=True, help="why, for the activity log")

    log = command(commands, "log", activity_log, "Show the activity log (submissions, validations, reviews, "
                       "listing edits, credential changes), newest first.")
    log.add_argument("--addon", help="only this add-on's entries (its id, slug, guid or Edge product id)")
    log.add_argument("--user", metavar="EMAIL", help="only what this account did")
    log.add_argument("--since", type=_since, metavar="DATE", help="only entries from this date (UTC) on")
    log.add_argument("--action", help="only entries of this action (as the ACTION column shows it)")
    log.add_argument("--limit", type=int, default=50, help="at most this many entries (default 50)")
    log.add_argument("--json", action="store_true")

    abuse = commands.add_parser("abuse", help="Read abuse reports.").add_subparsers(dest="action", required=True)
    abuse_listing = command(abuse, "list", abuse_list, "List abuse reports, newest first.")
    abuse_listing.add_argument("--addon", help="only the reports on this add-on (its id, slug, guid or Edge product id)")
    abuse_listing.add_argument("--limit", type=int, default=50, help="at most this many reports (default 50)")
    abuse_listing.add_argument("--json", action="store_true")

    users = commands.add_parser("users", help="Manage accounts.").add_subparsers(dest="action", required=True)
    creating = command(users, "create", users_create, "Create an account.")
    creating.add_argument("--email", required=True)
    creating.add_argument("--role", choices=("developer", "reviewer", "admin"), default="developer")
    creating.add_argument("--json", action="store_true", help="print the account as one JSON object")
    inviting = command(users, "invite", users_invite,
                       "Print a sign-up link for one e-mail address (single use, valid ADDONHUB_INVITATION_DAYS).")
    inviting.add_argument("email")
    inviting.add_argument("--base-url", help="the store's public URL (default: ADDONHUB_BASE_URL, else http://HOST:PORT)")
    setting_password = command(users, "set-password", users_set_password,
                               "Set an account's web password, read from stdin (asked twice on a terminal) or "
                               "--password-file; a new password ends the account's web sessions.")
    setting_password.add_argument("email")
    setting_password.add_argument("--password-file", metavar="PATH", help="read the password from this file's first line")
    setting_role = command(users, "set-role", users_administer,
                           "Give an account a role; the last administrator keeps theirs.")
    setting_role.add_argument("email")
    setting_role.add_argument("role", help="developer, reviewer or admin")
    for action, help in (("disable", "Disable an account: no log-in, its sessions end, its credentials stop working."),
                         ("enable", "Enable an account again.")):
        changing = command(users, action, users_administer, help)
        changing.add_argument("email")
        changing.add_argument("--reason", help="why, for the activity log")

    keys = commands.add_parser("keys", help="Manage API keys: AMO (JWT) keys and Edge credentials.").add_subparsers(
        dest="action", required=True)
    rotating = command(keys, "rotate", keys_rotate,
                       "Revoke the account's AMO API key, if it has one, and issue a new one.")
    rotating.add_argument("--email", required=True)
    rotating.add_argument("--json", action="store_true", help="print the account id, e-mail and new key as JSON")
    rotating.add_argument("--edge", action="store_true",
                          help="rotate the account's Edge API credentials (client id, client secret, API key) instead")

    products = commands.add_parser("products", help="Manage Edge products.").add_subparsers(
        dest="action", required=True)
    creating_product = command(products, "create", products_create,
                               "Create an Edge product (an extension in the catalogue) and print its product id.")
    creating_product.add_argument("--owner", required=True, help="the e-mail address of the owning account")
    creating_product.add_argument("--name", required=True)
    creating_product.add_argument("--key", metavar="PEM",
                                  help="the RSA private key (PEM) its CRX files are signed with, to keep the "
                                       "Chromium id it already has; else the store makes one")
    creating_product.add_argument("--json", action="store_true",
                                  help="print the product as JSON: id, name, addon_id, guid, chromium_id")
    setting_key = command(products, "set-key", products_set_key,
                          "Import the RSA private key (PEM) an existing product's CRX files are signed with, so "
                          "that its Chromium id is the key's; refused once CRX files signed with another key exist.")
    setting_key.add_argument("product", help="the product id (or the add-on's id, slug or guid)")
    setting_key.add_argument("--key", metavar="PEM", required=True)
    setting_key.add_argument("--json", action="store_true", help="print the product id and Chromium id as JSON")

    links = commands.add_parser("links", help="Firefox links of an add-on: its update URL and latest install URL.",
                                ).add_subparsers(dest="action", required=True)
    showing_links = command(links, "show", links_command,
                            "Print the add-on's update URL (for browser_specific_settings.gecko.update_url) and "
                            "latest install URL (for policies); both carry its link key unless it is listed. "
                            "Works before the add-on is in the store, for its first version's manifest.")
    rotating_links = command(links, "rotate", links_command,
                             "Revoke every keyed link of the add-on: print the new ones (installs must be given the "
                             "new update URL in a new version, or a policy).")
    for sub in (showing_links, rotating_links):
        sub.add_argument("guid", help="the add-on's id")
        sub.add_argument("--base-url", help="the store's public URL (default: ADDONHUB_BASE_URL, else http://HOST:PORT)")
        sub.add_argument("--json", action="store_true", help="print guid, update_url, install_url and key as JSON")

    promoted = commands.add_parser("promoted", help="AMO's promoted groups (recommended, line...): which add-ons "
                                                    "are in them, for which applications.").add_subparsers(
        dest="action", required=True)
    setting_promoted = command(promoted, "set", promoted_command,
                               "Put an add-on in a promoted group for these applications (replacing the group's "
                               "applications it had), and print its groups.")
    setting_promoted.add_argument("addon", help="the add-on's id, slug or guid")
    setting_promoted.add_argument("group", help="recommended, line, spotlight, strategic or notable")
    setting_promoted.add_argument("--app", action="append", default=[],
                                  help="firefox or android (repeatable; default: both)")
    clearing_promoted = command(promoted, "clear", promoted_command,
                                "Take an add-on out of a promoted group, or out of every group, and print its groups.")
    clearing_promoted.add_argument("addon", help="the add-on's id, slug or guid")
    clearing_promoted.add_argument("group", nargs="?", help="the group (default: every group)")
    listing_promoted = command(promoted, "list", promoted_command,
                               "List the promoted add-ons with their groups and applications.")
    listing_promoted.add_argument("group", nargs="?", help="only this group's add-ons")
    listing_promoted.add_argument("--json", action="store_true", help="print id, guid, slug and promoted of each")

    overrides = commands.add_parser("compat-overrides", help="Versions of add-ons incompatible with versions of an "
                                                             "application (VersionCheck's normal mode obeys them).",
                                    ).add_subparsers(dest="action", required=True)
    listing_overrides = command(overrides, "list", compat_overrides_command,
                                "List every override's ranges, numbered within each add-on id.")
    listing_overrides.add_argument("--json", action="store_true", help="print them in the AMO API's shape")
    adding_override = command(overrides, "add", compat_overrides_command,
                              "Mark versions of an add-on incompatible with versions of an application.")
    adding_override.add_argument("addon", help="an add-on's id, slug or guid, or the guid of one the store does not host")
    adding_override.add_argument("--addon-min", default="0", help="its lowest version concerned (default 0)")
    adding_override.add_argument("--addon-max", default="*", help="its highest version concerned (default *)")
    adding_override.add_argument("--app", default="firefox", help="firefox (the default), android, thunderbird or seamonkey")
    adding_override.add_argument("--app-min", default="0", help="the application's lowest version concerned (default 0)")
    adding_override.add_argument("--app-max", default="*", help="the application's highest version concerned (default *)")
    removing_override = command(overrides, "remove", compat_overrides_command,
                                "Remove one range of an add-on's override (its number in `list`).")
    removing_override.add_argument("guid", help="the add-on id the override is for")
    removing_override.add_argument("position", type=int, help="the range's number, from 1")

    featuring = commands.add_parser("featured", help="Featured add-ons, per application and language.").add_subparsers(
        dest="action", required=True)
    listing_featured = command(featuring, "list", featured_command, "List the featured placements with their ids.")
    listing_featured.add_argument("--json", action="store_true")
    adding_featured = command(featuring, "add", featured_command, "Feature an add-on for an application.")
    adding_featured.add_argument("addon", help="the add-on's id, slug or guid")
    adding_featured.add_argument("app", help="firefox, android, thunderbird or seamonkey")
    adding_featured.add_argument("--locale", help="only in this language (default: in every language)")
    removing_featured = command(featuring, "remove", featured_command, "Remove a placement (its id in `list`).")
    removing_featured.add_argument("id", type=int)

    policy = commands.add_parser("policy", help="Print an enterprise policy that installs the store's add-ons.")
    browsers = policy.add_subparsers(dest="browser", required=True)
    for browser, where in (("chromium", "a file in /etc/chromium/policies/managed/ (Chrome: /etc/opt/chrome/...)"),
                           ("firefox", "policies.json (/etc/firefox/policies/ on Linux)")):
        policing = command(browsers, browser, policy_command,
                           f"Print the {browser.title()} policy JSON for {where}: the add-ons installed from the "
                           "store and updated from it, disabled ones blocked.")
        policing.add_argument("--base-url", help="the store's public URL (default ADDONHUB_BASE_URL)")
        policing.add_argument("--addon", action="append", default=[], metavar="ID",
                              help="an add-on's id, slug, guid or Edge product id (repeatable; default: every "
                                   f"add-on with a {browser.title()} package)")
        # Checked by the policy itself (PolicyRequest), which knows the modes.
        policing.add_argument("--mode", default="force_installed",
                              help="force_installed (the default), normal_installed or allowed")
        if browser == "firefox":
            policing.add_argument("--certificate", metavar="PATH",
                                  help="the store's CA certificate, as a path on the clients, for Firefox to trust")

    cleaning = command(commands, "cleanup", cleanup,
                       "Remove uploads that never became a version (after ADDONHUB_UPLOAD_RETENTION_DAYS), blobs "
                       "no row points at and unfinished writes (after ADDONHUB_ORPHAN_GRACE_HOURS); print what went.")
    cleaning.add_argument("--dry-run", action="store_true", help="only print what would be removed")

    checking = command(commands, "check", check,
                       "Report what rows and blobs disagree on (missing or stray blobs, wrong bytes) and stuck or "
                       "failed jobs, changing nothing. Exits 0 when clean, 1 when something was found.")
    checking.add_argument("--json", action="store_true", help="print the problems and a summary as JSON")

    importing = command(commands, "import", import_file, "Import add-ons from a file in AMO's JSON shape.")
    importing.add_argument("file")

    command(commands, "demo", demo, "Load the demo catalogue into an empty store.")

    validating = commands.add_parser("validate", help="Validate a package (.zip, .xpi).")
    validating.set_defaults(handler=validate)
    validating.add_argument("file")
    validating.add_argument("--json", action="store_true", help="print AMO's validation_results object")
    channel = validating.add_mutually_exclusive_group()
    channel.add_argument("--listed", action="store_true", help="validate for a listed submission (the default)")
    channel.add_argument("--unlisted", action="store_true", help="validate for an unlisted (self-hosted) submission")
    validating.add_argument("--target", choices=("firefox", "chromium"), default="firefox")
    # Read straight from the environment (the store's setting of the same name) so that
    # validating a file does not load the settings machinery.
    validating.add_argument("--addons-linter", metavar="PATH",
                            help="also run this addons-linter executable (or set ADDONHUB_ADDONS_LINTER)")

    signing_ca = commands.add_parser("signing", help="Manage the store's signing CA.").add_subparsers(
        dest="action", required=True)
    command(signing_ca, "export-root", signing_export_root,
            "Print the store's root certificate (PEM), for browsers and organisations to trust.")

    signing = command(commands, "sign", sign_package,
                      "Sign an XPI with the store's keys, as Firefox verifies (PKCS#7 and COSE).")
    signing.add_argument("file")
    signing.add_argument("--id", required=True, help="the add-on id, which the signing certificate names")
    signing.add_argument("-o", "--output", required=True, type=Path, help="the signed XPI (may be FILE itself)")

    verifying = command(commands, "verify", verify_package,
                        "Check an XPI's signatures: every digest, PKCS#7 and COSE, the chain to the root and the id. "
                        "Exits 0 when valid, 1 when not, 2 when the file or root cannot be read.")
    verifying.add_argument("file")
    verifying.add_argument("--root", type=Path, help="the root certificate (PEM) to trust "
                           "(default: the root of the store in --data-dir)")
    verifying.add_argument("--id", help="the add-on id the signatures must name")

    backing_up = command(commands, "backup", backup_command,
                         "Write a backup of the store while it serves: database, blobs, secrets and signing CA, "
                         "in one archive. `addonhub backup verify IN` checks one: exits 0 when sound, 1 when not.")
    backing_up.add_argument("archive", nargs="+", metavar="OUT | verify IN",
                            help="the archive to write (never overwritten), or `verify` and the archive to check")
    backing_up.usage = "addonhub backup [--data-dir DIR] OUT\n       addonhub backup verify IN"
    backing_up.set_defaults(usage_error=backing_up.error)

    restoring = command(commands, "restore", restore_command,
                        "Make a store in a new or empty --data-dir from a backup, checking it on the way.")
    restoring.add_argument("archive", type=Path)

    moving_help = ("Copy a stopped embedded store (its data directory) into a database server and a "
        "bucket: every table, blob and secret, resumable, verified at the end. The secrets go into the database "
        "encrypted with ADDONHUB_ENCRYPTION_KEY, which must be the store's own (its api_key_encryption_key file).")
    moving = commands.add_parser("migrate-store", help=moving_help, description=moving_help)
    moving.add_argument("--from", dest="source", type=Path, required=True, metavar="DIR",
                        help="the data directory of the store, which must not be running")
    moving.add_argument("--to-database", required=True, metavar="URL", help="postgresql+psycopg://... (an empty database)")
    moving.add_argument("--to-blobs", required=True, metavar="URL", help="s3://bucket/prefix?endpoint_url=...")
    moving.set_defaults(handler=migrate_store_command)
    return root


def main(argv: list[str] | None = None) -> int:
    from addonhub.store_secrets import StoreSecretsError
    args = parser().parse_args(argv)
    try:
        return args.handler(args)
    except StoreSecretsError as error:  # a store started with secrets that are not its own
        print(f"addonhub: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
