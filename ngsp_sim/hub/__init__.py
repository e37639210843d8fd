"""The hub: app factory, X-Road REST routing pipeline, metaservices and error rendering."""

from ngsp_sim.hub.app import create_app

__all__ = ["create_app"]
