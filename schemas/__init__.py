"""Pydantic models of every payload ngsp-sim carries, one module per domain.

Wire names are exactly those of the real systems (see DOMAIN.md); Python names around them are English.

Each module also holds its provider's native paths (``NATIVE_PATHS``: operation -> path at the
provider; ``NATIVE_PATH`` for a SOAP endpoint): the wire contract that both the adapter (which sends
there) and the simulated agency (which serves there) import, so that a path cannot move on one side only.
"""
