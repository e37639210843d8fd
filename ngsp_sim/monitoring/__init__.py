"""Observability: the per-exchange record (X-Road operational-monitoring field names)."""

from ngsp_sim.monitoring.record import MessageRecord

__all__ = ["MessageRecord"]
