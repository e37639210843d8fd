"""Turning pydantic's validation errors into what a person can act on: every violation of a payload at
an RFC 6901 JSON pointer (:mod:`~ngsp_sim.validation.payload`, the hub's request and reply checks), and
every problem of a YAML file as ``file:line: path: message`` (:mod:`~ngsp_sim.validation.yaml_source`,
the topology and scenario loaders)."""

from ngsp_sim.validation.payload import (
    STRICT_INTEGER,
    explain,
    json_pointer,
    json_type,
    published,
    schema_nodes,
    validate,
    validate_json,
    violations_of,
    xml_path,
)

__all__ = [
    "STRICT_INTEGER",
    "explain",
    "json_pointer",
    "json_type",
    "published",
    "schema_nodes",
    "validate",
    "validate_json",
    "violations_of",
    "xml_path",
]
