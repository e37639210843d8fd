"""The data plane: edge (limits, caller identification, error rendering), both wire styles, the
pipeline, metaservices, and the composition root that builds one complete runtime (:mod:`.app`).

``create_app`` (the whole hub, with the admin API) lives in :mod:`ngsp_sim.app`; it is named here
too, resolved on first use, because ``from ngsp_sim.hub import create_app`` is a published entry
point. Nothing in this package imports the admin API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ngsp_sim.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from ngsp_sim.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
