"""Login with roles: Flask-Login sessions, the login page, logout, and who is asking.

Users live in the database (data/users.py). The session cookie holds the user's id and
session token, so a new password or a removed user ends their sessions at once. Failed
logins are rate-limited per user name and per address (Flask-Limiter).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    g,
    redirect,
    render_template,
    request,
    session,
)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf

from config import Settings
from data.users import User, UserStore, role_allows
from server.responses import json_error

OPEN_NAMES = {"local": "local", "off": "anonymous"}


@dataclass(frozen=True)
class Identity:
    """Who is asking: a user name and a role, for checks and for the prediction log."""

    name: str
    role: str
    signed_in: bool = True

    def can(self, needed: str) -> bool:
        return role_allows(self.role, needed)


class LoginUser(UserMixin):
    """Flask-Login's view of a user; its id is the revocable session id."""

    def __init__(self, user: User):
        self.user = user

    def get_id(self) -> str:
        return self.user.session_id


def current_identity() -> Identity | None:
    """Who is asking in this request (set by the door), or None outside a request."""
    return g.get("identity") if g else None


def request_id() -> str | None:
    """This request's id (X-Request-ID, the access log and the prediction log row)."""
    return g.get("request_id") if g else None


def require(role: str) -> Identity:
    """The identity asking, if its role is at least `role`; else the request ends in 403.

    Callbacks call this themselves for actions (predict, and later batch and promote), so
    the check holds even if the door's table were wrong.
    """
    identity = current_identity()
    if identity is None or not identity.can(role):
        abort(403, description=f"this needs the {role} role")
    return identity


def resolve_identity(settings: Settings) -> Identity | None:
    """The signed-in user, else the open-mode identity, else None (must log in)."""
    if current_user.is_authenticated:
        return Identity(current_user.user.name, current_user.user.role)
    if settings.open_access:
        return Identity(OPEN_NAMES[settings.auth], "admin", signed_in=False)
    return None


def safe_next(target: str | None) -> str:
    """A local path to go to after login; anything else (another host, //evil) is '/'."""
    if not target or not isinstance(target, str) or len(target) > 2000:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or "\\" in target:
        return "/"
    return target if not target.startswith("//") else "/"


def configure(server: Flask, settings: Settings) -> None:
    """Session cookie, lifetime and body size limits for this app."""
    server.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME="flightdeck_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=settings.session_hours),
        # Set once at sign-in, not re-signed on every response: the session ends
        # FLIGHTDECK_SESSION_HOURS after sign-in, and parallel responses cannot race.
        SESSION_REFRESH_EACH_REQUEST=False,
        MAX_CONTENT_LENGTH=settings.max_request_kb * 1024,
        MAX_FORM_MEMORY_SIZE=64 * 1024,
    )


def register(server: Flask, settings: Settings, users: UserStore, title: str) -> None:
    """Flask-Login, CSRF protection (Dash's JSON dispatch exempt) and /login, /logout."""
    configure(server, settings)
    manager = LoginManager(server)
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(session_id: str) -> LoginUser | None:
        user = users.by_session(session_id)
        return LoginUser(user) if user else None

    csrf = CSRFProtect(server)
    # Dash posts JSON, which a cross-site form cannot send, and the cookie is SameSite=Lax.
    csrf.exempt("dash.dash.dispatch")
    limiter = Limiter(
        get_remote_address,
        app=server,
        storage_uri=settings.ratelimit_storage,
        default_limits=[],
        headers_enabled=True,
    )
    server.register_blueprint(_blueprint(settings, users, limiter, title))


def _page(title: str, status: int = 200, **context):
    return render_template("login.html", title=title, **context), status


def _blueprint(settings: Settings, users: UserStore, limiter: Limiter, title: str):
    auth = Blueprint("auth", __name__, template_folder="templates")
    # Only failed sign-ins count against the limits.
    failed = {"deduct_when": lambda _response: bool(g.get("login_failed"))}

    def name_key() -> str:
        return (
            "login-name:" + str(request.form.get("username", ""))[:64].strip().lower()
        )

    @auth.get("/login")
    def login_form():
        if current_user.is_authenticated or settings.open_access:
            return redirect(safe_next(request.args.get("next")))
        message = "You are signed out." if request.args.get("signed_out") else None
        return _page(title, next=safe_next(request.args.get("next")), info=message)

    @auth.post("/login")
    @limiter.limit(settings.login_limit, key_func=name_key, **failed)
    @limiter.limit("30 per minute", **failed)  # per address, across user names
    def login():
        target = safe_next(request.form.get("next"))
        user = users.authenticate(
            str(request.form.get("username", ""))[:64], request.form.get("password", "")
        )
        if user is None:
            g.login_failed = True
            return _page(
                title,
                next=target,
                error="Wrong user name or password.",
                username=str(request.form.get("username", ""))[:64],
            )
        session.clear()
        login_user(LoginUser(user))
        session.permanent = True  # ends FLIGHTDECK_SESSION_HOURS after sign-in
        # The form token's secret goes into the cookie now: the page's first requests run
        # in parallel, and one minted later could be overwritten by a sibling's cookie.
        generate_csrf()
        return redirect(target)

    @auth.post("/logout")
    def logout():
        logout_user()
        session.clear()
        return redirect("/login?signed_out=1")

    _register_errors(auth, title)
    return auth


def _register_errors(auth: Blueprint, title: str) -> None:
    """An expired form or too many failed sign-ins: the login page again, saying why."""

    @auth.app_errorhandler(CSRFError)
    def csrf_failed(_error):
        if request.path == "/login":
            return _page(title, 400, error="The form expired. Please sign in again.")
        return "This form expired; reload the page and try again.", 400

    @auth.app_errorhandler(429)  # Flask-Limiter adds Retry-After
    def too_many(_error):
        if request.path == "/login":
            words = "Too many failed sign-ins. Wait a minute, then try again."
            return _page(title, 429, error=words)
        return json_error(429, "too many requests; slow down")
