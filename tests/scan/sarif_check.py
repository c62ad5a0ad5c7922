"""SARIF checks shared by the scan tests.

The official SARIF 2.1.0 JSON schema is not shipped by any installed package here, so the
SARIF is validated against SARIF_SUBSET below: a schema written for these tests from the
SARIF 2.1.0 specification, covering the required properties of the objects vulnbench emits
(sarifLog, run, tool.driver, reportingDescriptor, result, location, region, invocation with
its exit code, notification)."""

from __future__ import annotations

import re
from typing import Any

import jsonschema

# RFC 3986 characters: jsonschema checks "uri-reference" only with an optional package
_URI = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")

_MESSAGE = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
_LOCATION = {"type": "object", "properties": {"physicalLocation": {
    "type": "object", "required": ["artifactLocation"], "properties": {
        "artifactLocation": {"type": "object", "required": ["uri"],
                             "properties": {"uri": {"type": "string", "format": "uri-reference"}}},
        "region": {"type": "object", "required": ["startLine"],
                   "properties": {"startLine": {"type": "integer", "minimum": 1}}}}}}}
SARIF_SUBSET: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object", "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string", "format": "uri"},
        "version": {"const": "2.1.0"},
        "runs": {"type": "array", "items": {
            "type": "object", "required": ["tool"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {
                    "driver": {"type": "object", "required": ["name"], "properties": {
                        "name": {"type": "string"}, "version": {"type": "string"},
                        "rules": {"type": "array", "uniqueItems": True, "items": {
                            "type": "object", "required": ["id"], "properties": {
                                "id": {"type": "string"},
                                "shortDescription": _MESSAGE,
                                "properties": {"type": "object"}}}}}}}},
                "invocations": {"type": "array", "items": {
                    "type": "object", "required": ["executionSuccessful"], "properties": {
                        "executionSuccessful": {"type": "boolean"},
                        "exitCode": {"type": "integer"},
                        "exitCodeDescription": {"type": "string"},
                        "toolExecutionNotifications": {"type": "array", "items": {
                            "type": "object", "required": ["message"], "properties": {
                                "message": _MESSAGE,
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "locations": {"type": "array", "items": _LOCATION}}}}}}},
                "results": {"type": "array", "items": {
                    "type": "object", "required": ["message"], "properties": {
                        "ruleId": {"type": "string"},
                        "ruleIndex": {"type": "integer", "minimum": -1},
                        "level": {"enum": ["none", "note", "warning", "error"]},
                        "message": _MESSAGE,
                        "locations": {"type": "array", "items": _LOCATION},
                        "properties": {"type": "object"}}}}}}}}}


def validate_sarif(doc: dict[str, Any]) -> None:
    jsonschema.validate(doc, SARIF_SUBSET, format_checker=jsonschema.FormatChecker())
    for run in doc["runs"]:  # what a schema cannot say: ruleIndex points at its rule
        rules = run["tool"]["driver"].get("rules", [])
        for res in run.get("results", []):
            if "ruleIndex" in res:
                assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    for uri in _uris(doc):
        assert _URI.fullmatch(uri), uri


def _uris(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["uri"]] if "uri" in node else []
        return own + [u for v in node.values() for u in _uris(v)]
    if isinstance(node, list):
        return [u for v in node for u in _uris(v)]
    return []
