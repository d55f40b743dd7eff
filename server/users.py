"""Manage who may sign in and their API keys: `python -m server.users COMMAND`.

    python -m server.users add ana --role analyst     # asks for the password twice
    echo "$PASSWORD" | python -m server.users add ci --role viewer   # or reads stdin
    python -m server.users list
    python -m server.users set-role ana admin
    python -m server.users set-password ana            # ends ana's sessions
    python -m server.users remove ana                  # ends ana's sessions and keys

    python -m server.users key create ana --name "nightly job"   # prints the key once
    python -m server.users key list [ana]             # never shows a key, only its prefix
    python -m server.users key revoke 7               # stops key 7 at once

`key create` prints the key alone on stdout's first line (so `KEY=$(...)` captures it) and
how to use it on stderr: `Authorization: Bearer <key>`. Only its sha256 is stored.

Users live in the app's database (DATABASE_URL, else SQLite in FLIGHTDECK_HOME). Exit codes:
0 done, 1 refused (with the reason on stderr), 2 bad usage.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from config import Settings
from data.api_keys import ApiKey, ApiKeyStore
from data.db import Database, DatabaseError
from data.users import ROLES, UserError, UserStore

DEFAULT_KEY_NAME = "cli"
MAX_KEY_ID = 2**63 - 1


def _password(stdin=None) -> str:
    """Asked twice on a terminal; else the first line of stdin."""
    stdin = stdin or sys.stdin
    if not stdin.isatty():
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise UserError("the two passwords differ")
    return first


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m server.users", description="Manage Flightdeck users."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add a user (password asked, or from stdin)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, required=True)
    commands.add_parser("list", help="list users and their roles")
    role = commands.add_parser("set-role", help="change a user's role")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    password = commands.add_parser(
        "set-password", help="set a new password (ends the user's sessions)"
    )
    password.add_argument("name")
    remove = commands.add_parser(
        "remove", help="remove a user (ends their sessions, deletes their keys)"
    )
    remove.add_argument("name")
    _key_parser(commands)
    return parser


def _key_id(text: str) -> int:
    """A key's id as `key list` shows it: a positive whole number."""
    if not text.isdigit() or not 0 < int(text) <= MAX_KEY_ID:
        raise argparse.ArgumentTypeError(
            f"'{text[:24]}' is not a key id (see key list)"
        )
    return int(text)


def _key_parser(commands) -> None:
    """`key create|list|revoke`: a user's API keys for the JSON API."""
    key = commands.add_parser("key", help="create, list and revoke API keys")
    actions = key.add_subparsers(dest="key_command", required=True)
    create = actions.add_parser("create", help="a new key for USER (printed once)")
    create.add_argument("user")
    create.add_argument(
        "--name", default=DEFAULT_KEY_NAME, help="what the key is for (default: cli)"
    )
    listing = actions.add_parser("list", help="keys (of USER), newest first")
    listing.add_argument("user", nargs="?")
    revoke = actions.add_parser("revoke", help="stop a key at once, by its id")
    revoke.add_argument("id", type=_key_id)


def _when(moment) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment is not None else "never"


def key_line(key: ApiKey) -> str:
    """One key as `key list` shows it: never the key, only its prefix."""
    status = "active" if key.active else "revoked"
    return (
        f"{key.id:>5}  {key.user:<16} {key.prefix}…  {_when(key.created_at)}  "
        f"{_when(key.last_used_at):<16}  {status:<7}  {key.name}"
    )


KEY_HEADER = (
    f"{'id':>5}  {'user':<16} {'prefix':<13}  {'created':<16}  {'last used':<16}  "
    f"{'status':<7}  name"
)


def run_key(args: argparse.Namespace, users: UserStore, keys: ApiKeyStore, out=print):
    """Carry out one `key` command; raise UserError when it is refused."""
    if args.key_command == "create":
        listed, key = keys.create(args.user, args.name)
        out(key)
        print(
            f"key {listed.id} '{listed.name}' for {listed.user}: store it now, it is "
            "shown only this once. Send it as the header "
            "`Authorization: Bearer <key>` (POST /api/v1/predict; see /api/v1/docs).",
            file=sys.stderr,
        )
    elif args.key_command == "list":
        if args.user is not None and users.get(args.user) is None:
            raise UserError(f"no user '{args.user.strip().lower()[:64]}'")
        listed = keys.list(args.user)
        if not listed:
            out("no keys yet: create one with `python -m server.users key create USER`")
            return
        out(KEY_HEADER)
        for key in listed:
            out(key_line(key))
    elif args.key_command == "revoke":
        key = keys.revoke(args.id)
        out(f"revoked key {key.id} '{key.name}' of {key.user}; it stops working now")


def run(
    args: argparse.Namespace, users: UserStore, keys: ApiKeyStore, out=print
) -> None:
    """Carry out one parsed command; raise UserError when it is refused."""
    if args.command == "key":
        run_key(args, users, keys, out)
    elif args.command == "add":
        user = users.add(args.name, args.role, _password())
        out(f"added {user.name} ({user.role})")
    elif args.command == "list":
        listed = users.list()
        for user in listed:
            out(f"{user.name:<24} {user.role:<8} since {user.created_at:%Y-%m-%d}")
        if not listed:
            out(
                "no users yet: add one with `python -m server.users add NAME --role admin`"
            )
    elif args.command == "set-role":
        user = users.set_role(args.name, args.role)
        out(f"{user.name} is now {user.role}")
    elif args.command == "set-password":
        if users.get(args.name) is None:
            raise UserError(f"no user '{args.name[:64]}'")
        user = users.set_password(args.name, _password())
        out(f"new password for {user.name}; their sessions have ended")
    elif args.command == "remove":
        users.remove(args.name)
        out(f"removed {args.name.strip().lower()}; their sessions have ended")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        database = Database(Settings.from_env().database).migrate()
        run(args, UserStore(database), ApiKeyStore(database))
    except (UserError, DatabaseError, ValueError) as exc:
        print(f"server.users: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("server.users: cancelled", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
