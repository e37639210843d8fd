"""Pydantic models of every payload ngsp-sim carries, one module per domain.

Wire names are exactly those of the real systems (see DOMAIN.md); Python names around them are English.
"""
