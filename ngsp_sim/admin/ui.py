"""The trainer's dashboard at ``/ui/``: static files shipped in the package (``ngsp_sim/ui``, its font in
``ngsp_sim/ui/fonts``), nothing fetched from elsewhere. The page talks only to the admin API, with the
admin token the user gives it (kept in the tab's session storage, or passed once in the URL fragment
``#token=...``, which browsers never send to a server). ``/favicon.ico`` leads to the dashboard's icon,
so a browser's automatic request for it is no 404."""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable

from aiohttp import web

__all__ = ["add_ui_routes"]

TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
}
TEXT = {".html", ".js", ".css", ".svg"}
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def _suffix(name: str) -> str:
    return name[name.rfind(".") :] if "." in name else ""


def _assets() -> dict[str, bytes]:
    """Every servable file of the dashboard by its path under ``/ui/`` (one folder level: ``fonts/``)."""
    root = resources.files("ngsp_sim").joinpath("ui")
    found: dict[str, bytes] = {}

    def walk(folder: Traversable, prefix: str) -> None:
        for entry in folder.iterdir():
            if entry.is_dir() and not prefix:
                walk(entry, f"{entry.name}/")
            elif _suffix(entry.name) in TYPES:
                found[prefix + entry.name] = entry.read_bytes()

    walk(root, "")
    return found


def add_ui_routes(app: web.Application) -> None:
    assets = _assets()  # read once: a handful of small files

    async def redirect(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/ui/")

    async def serve(request: web.Request) -> web.Response:
        name = request.match_info.get("name") or "index.html"
        body = assets.get(name)
        if body is None:
            raise web.HTTPNotFound(text=f"no dashboard file {name!r}\n")
        suffix = _suffix(name)
        charset = "utf-8" if suffix in TEXT else None  # fonts are binary
        return web.Response(body=body, content_type=TYPES[suffix], charset=charset, headers=HEADERS)

    async def favicon(request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently("/ui/favicon.svg")  # what browsers ask for on every page

    app.router.add_get("/favicon.ico", favicon)
    app.router.add_get("/ui", redirect)
    app.router.add_get("/ui/", serve)
    app.router.add_get("/ui/{name:(fonts/)?[\\w.-]+}", serve)
