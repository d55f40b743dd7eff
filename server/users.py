"""Manage who may sign in: `python -m server.users add|list|set-role|set-password|remove`.

    python -m server.users add ana --role analyst     # asks for the password twice
    echo "$PASSWORD" | python -m server.users add ci --role viewer   # or reads stdin
    python -m server.users list
    python -m server.users set-role ana admin
    python -m server.users set-password ana            # ends ana's sessions
    python -m server.users remove ana

Users live in the app's database (DATABASE_URL, else SQLite in FLIGHTDECK_HOME). Exit codes:
0 done, 1 refused (with the reason on stderr), 2 bad usage.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from config import Settings
from data.db import Database, DatabaseError
from data.users import ROLES, UserError, UserStore


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
    remove = commands.add_parser("remove", help="remove a user (ends their sessions)")
    remove.add_argument("name")
    return parser


def run(args: argparse.Namespace, users: UserStore, out=print) -> None:
    """Carry out one parsed command; raise UserError when it is refused."""
    if args.command == "add":
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
        run(args, UserStore(database))
    except (UserError, DatabaseError, ValueError) as exc:
        print(f"server.users: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("server.users: cancelled", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
