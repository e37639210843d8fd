"""The trainer's dashboard at ``/ui/``: static files shipped in the package (``ngsp_sim/ui``), nothing
fetched from elsewhere. The page talks only to the admin API, with the admin token the user gives it
(kept in the tab's session storage, or passed once in the URL fragment ``#token=...``, which browsers
never send to a server)."""

from __future__ import annotations

from importlib import resources

from aiohttp import web

__all__ = ["add_ui_routes"]

TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def _assets() -> dict[str, bytes]:
    folder = resources.files("ngsp_sim").joinpath("ui")
    return {
        entry.name: entry.read_bytes()
        for entry in folder.iterdir()
        if any(entry.name.endswith(suffix) for suffix in TYPES)
    }


def add_ui_routes(app: web.Application) -> None:
    assets = _assets()  # read once: a handful of small files

    async def redirect(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/ui/")

    async def serve(request: web.Request) -> web.Response:
        name = request.match_info.get("name") or "index.html"
        body = assets.get(name)
        if body is None:
            raise web.HTTPNotFound(text=f"no dashboard file {name!r}\n")
        suffix = name[name.rfind(".") :]
        return web.Response(body=body, content_type=TYPES[suffix], charset="utf-8", headers=HEADERS)

    async def favicon(request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently("/ui/favicon.svg")  # what browsers ask for on every page

    app.router.add_get("/favicon.ico", favicon)
    app.router.add_get("/ui", redirect)
    app.router.add_get("/ui/", serve)
    app.router.add_get("/ui/{name}", serve)
