"""Rendering the account pages: a Jinja2 environment (autoescaped, gettext-ready) and what every
page's header needs (who is signed in, the CSRF field of the log-out form).

The storefront's own environment (web.templating, per interface locale) replaces this one when
both are on main: render_page is the one place to switch."""

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from addonhub.web.forms import hidden_csrf_field
from addonhub.web.sessions import session_account

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


@cache
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(["html"]),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_null_translations(newstyle=True)
    return env


def render_page(request: Request, template: str, status_code: int = 200, headers: dict | None = None,
                **context) -> HTMLResponse:
    html = _environment().get_template(template).render(
        request=request, account=session_account(request),
        csrf_field=lambda: Markup(hidden_csrf_field(request)), **context)
    return HTMLResponse(html, status_code=status_code, headers=headers)


def message_page(request: Request, status_code: int, title: str, message: str) -> HTMLResponse:
    """A page that only says something: why a request was refused, or that a page is not there."""
    return render_page(request, "accounts/message.html", status_code, title=title, message=message)
