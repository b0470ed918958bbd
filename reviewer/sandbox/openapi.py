"""The OpenAPI 3 description of the sandbox, served at /sandbox/openapi.json."""

from __future__ import annotations

from typing import Any

from reviewer.sandbox.corrections import MAX_CONTENT, MAX_OPERATIONS, MAX_POINTS
from reviewer.sandbox.models import ID_PATTERN as ID_RULE

ID_PATTERN = f"^{ID_RULE}$"
# Some character that is not white space, and no NUL anywhere.
TEXT_PATTERN = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
# One line: no control character (Unicode category Cc).
LINE_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f]*$"
STATUSES = ["PROCESSING", "REVIEWING", "COMPLETED", "FAILED", "DISCARDED", "FILTERED"]
_ONE_STATUS = "(" + "|".join(STATUSES) + ")"
STATUS_LIST_PATTERN = f"^{_ONE_STATUS}(,{_ONE_STATUS})*$"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("ErrorEnvelope"), description)


def _errors(*codes: str) -> dict[str, Any]:
    text = {
        "400": "Invalid request or task state",
        "401": "Missing or invalid API key",
        "403": "The key lacks the scope",
        "404": "Task not found, or no access",
        "405": "Method not allowed",
        "413": "Body too large",
        "415": "Body is not JSON",
    }
    return {code: _error(text[code]) for code in codes}


def _id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", "pattern": ID_PATTERN}}


TASK_PARAMS = [_id("team_id"), _id("project_id"), _id("task_id")]

NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
POLYGON = {
    "type": "array",
    "description": "Points [x, y] in page pixels, origin top-left; normally four, clockwise from the top-left.",
    "items": {"type": "array"},
}

CORRECTED = {
    "corrected": {"type": "boolean", "description": "Set by a correction (API.md §5)."},
    "original": {"type": "object", "description": "The AI's values of the fields a correction changed."},
}
# What a correction sets (docs/corrections.md, "Limits"). The page's bounds, a polygon's area, a
# repeated item and references to pages and items are checked too, but no schema can say so.
POINT = {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number", "minimum": 0}}
POLYGON_INPUT = {"type": "array", "minItems": 3, "maxItems": MAX_POINTS, "items": POINT}
CONTENT = {"type": "string", "maxLength": MAX_CONTENT, "pattern": LINE_PATTERN}
ENTITY = {"type": "string", "pattern": ID_PATTERN}
POSITION = {"type": ["number", "null"], "minimum": 0}
# top and left_of_line: both numbers, both null, or neither given.
BOTH_OR_NEITHER = [
    {
        "required": ["top", "left_of_line"],
        "properties": {"top": {"type": "number"}, "left_of_line": {"type": "number"}},
    },
    {"required": ["top", "left_of_line"], "properties": {"top": {"type": "null"}, "left_of_line": {"type": "null"}}},
    {"properties": {"top": False, "left_of_line": False}},
]
ANNOTATION_VALUES = {"content": CONTENT, "entity_id": ENTITY, "top": POSITION, "left_of_line": POSITION}


def _values(properties: dict[str, Any], required: list[str] | None = None, **more: Any) -> dict[str, Any]:
    schema = {"type": "object", "properties": properties, "additionalProperties": False, **more}
    if required:
        schema["required"] = required
    else:
        schema["minProperties"] = 1
    return schema


def _operation(op: str, kind: str | list[str], values: dict[str, Any] | None = None) -> dict[str, Any]:
    keys = {"update": "fields", "add": "item"}
    properties: dict[str, Any] = {
        "op": {"const": op},
        "kind": {"const": kind} if isinstance(kind, str) else {"enum": kind},
        "page_id": {"type": "string", "pattern": ID_PATTERN},
    }
    if op != "add":
        properties["item_id"] = {"type": "string", "pattern": ID_PATTERN}
    if values is not None:
        properties[keys[op]] = values
    return {"type": "object", "required": list(properties), "properties": properties, "additionalProperties": False}


REGIONS = ["segment", "signature"]
OPERATIONS = [
    _operation("update", "annotation", _values(ANNOTATION_VALUES, anyOf=BOTH_OR_NEITHER)),
    _operation("update", "checkbox", _values({"checked": {"type": "boolean"}, "coordinates": POLYGON_INPUT})),
    _operation("update", REGIONS, _values({"coordinates": POLYGON_INPUT}, ["coordinates"])),
    _operation("remove", ["annotation", "checkbox", *REGIONS]),
    _operation("add", "annotation", _values(ANNOTATION_VALUES, ["entity_id", "content"], anyOf=BOTH_OR_NEITHER)),
    _operation(
        "add",
        "checkbox",
        _values({"checked": {"type": "boolean"}, "coordinates": POLYGON_INPUT}, ["checked", "coordinates"]),
    ),
    _operation("add", REGIONS, _values({"coordinates": POLYGON_INPUT}, ["coordinates"])),
]

SCHEMAS: dict[str, Any] = {
    "Meta": {
        "type": "object",
        "required": ["name", "value"],
        "properties": {"name": {"type": "string"}, "value": {"type": "string"}},
    },
    "Annotation": {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "string"},
            "entity_id": {"type": "string"},
            "confidence": {"type": "number"},
            "content": {"type": "string"},
            "top": {"type": ["number", "null"], "description": "Top of the text line, in page pixels."},
            "left_of_line": {"type": ["number", "null"], "description": "Start of the text line, in page pixels."},
            **CORRECTED,
        },
    },
    "Checkbox": {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "string"},
            "confidence": {"type": "number"},
            "checked": {"type": "boolean"},
            "coordinates": POLYGON,
            **CORRECTED,
        },
    },
    "Region": {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "string"},
            "confidence": {"type": "number"},
            "coordinates": POLYGON,
            **CORRECTED,
        },
    },
    "RemovedItem": {
        "type": "object",
        "required": ["id", "kind", "original"],
        "properties": {
            "id": {"type": "string"},
            "kind": {"type": "string", "enum": ["annotation", "checkbox", "segment", "signature"]},
            "original": {"type": "object", "description": "The item's values as the AI gave them."},
        },
    },
    "Page": {
        "type": "object",
        "required": ["id", "width", "height", "annotations", "checkboxes", "segments", "signatures"],
        "properties": {
            "id": {"type": "string"},
            "width": {"type": "number"},
            "height": {"type": "number"},
            "annotations": {"type": "array", "items": _ref("Annotation")},
            "checkboxes": {"type": "array", "items": _ref("Checkbox")},
            "segments": {"type": "array", "items": _ref("Region")},
            "signatures": {"type": "array", "items": _ref("Region")},
            "removed": {
                "type": "array",
                "items": _ref("RemovedItem"),
                "description": "Items a correction removed (API.md §5).",
            },
        },
    },
    "TaskSummary": {
        "type": "object",
        "required": [
            "id",
            "name",
            "created_at",
            "meta",
            "status",
            "step_type",
            "upload_id",
            "project_id",
            "approved",
            "exported_at",
            "export_failed_at",
            "last_opened_at",
        ],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "meta": {"type": "array", "items": _ref("Meta")},
            "status": {"type": "string", "enum": STATUSES},
            "step_type": {"type": "string", "description": "EXTRACT, CLASSIFY, SEGMENT, GROUP, or another value."},
            "upload_id": {"type": "string"},
            "project_id": {"type": "string"},
            "approved": {"type": "boolean"},
            "exported_at": NULLABLE_TIME,
            "export_failed_at": NULLABLE_TIME,
            "last_opened_at": NULLABLE_TIME,
        },
    },
    "Task": {
        "allOf": [
            _ref("TaskSummary"),
            {
                "type": "object",
                "required": ["pages"],
                "properties": {"pages": {"type": "array", "items": _ref("Page")}},
            },
        ]
    },
    "TaskEnvelope": {
        "type": "object",
        "required": ["payload"],
        "properties": {"payload": _ref("Task")},
    },
    "Error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "failures": {
                "type": "array",
                "description": "validation_failed only: what failed (docs/corrections.md).",
                "items": _ref("ValidationFailure"),
            },
        },
    },
    "ValidationFailure": {
        "type": "object",
        "required": ["rule", "entity_id", "message", "page_id", "item_id"],
        "properties": {
            "rule": {"type": "string", "enum": ["required", "date", "amount", "line_totals"]},
            "entity_id": {"type": "string"},
            "message": {"type": "string"},
            "page_id": {"type": ["string", "null"]},
            "item_id": {"type": ["string", "null"]},
        },
    },
    "CompleteRequest": {
        "type": "object",
        "description": "Optional. No body, {} or an empty list is the plain complete.",
        "additionalProperties": False,
        "properties": {
            "corrections": {"type": "array", "maxItems": MAX_OPERATIONS, "items": {"anyOf": OPERATIONS}},
        },
    },
    "ErrorEnvelope": {
        "type": "object",
        "required": ["payload", "error"],
        "properties": {"payload": {"type": "null"}, "error": _ref("Error")},
    },
    "Issue": {
        "type": "object",
        "required": ["label", "value"],
        "properties": {
            "label": {"type": "string", "minLength": 1, "maxLength": 500, "pattern": TEXT_PATTERN},
            "value": {"type": "string", "minLength": 1, "maxLength": 500, "pattern": TEXT_PATTERN},
        },
    },
    "ReportRequest": {
        "type": "object",
        "required": ["issues"],
        "properties": {
            "issues": {"type": "array", "minItems": 1, "maxItems": 50, "items": _ref("Issue")},
            "message": {"type": ["string", "null"], "maxLength": 10000, "pattern": r"^[^\u0000]*$"},
        },
    },
}


def _action(summary: str, description: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    schema = _ref("TaskEnvelope")
    if extra:
        schema = {"allOf": [schema, {"type": "object", "properties": extra, "required": list(extra)}]}
    return {
        "post": {
            "summary": summary,
            "description": description,
            "parameters": TASK_PARAMS,
            "responses": {"200": _json(schema, "The updated task"), **_errors("400", "401", "403", "404", "405")},
        }
    }


def _complete() -> dict[str, Any]:
    path = _action(
        "Complete a task, with corrections (extension)",
        "REVIEWING only. The task moves to PROCESSING, then to COMPLETED. The optional body's corrections"
        " (API.md §5) are applied all or nothing, then the task is validated. 400 invalid_corrections"
        " names the operation and field; 413 above 8 MiB; 415 for a body that is not JSON.",
        {"message": {"type": "string"}},
    )
    path["post"]["requestBody"] = {
        "required": False,
        "content": {"application/json": {"schema": _ref("CompleteRequest")}},
    }
    path["post"]["responses"].update(_errors("413", "415"))
    return path


def openapi_document(server_url: str) -> dict[str, Any]:
    base = "/v2/{team_id}/project/{project_id}/task"
    report_answer = {
        "allOf": [
            _ref("TaskEnvelope"),
            {
                "type": "object",
                "required": ["error"],
                "properties": {"error": {"oneOf": [{"type": "null"}, _ref("Error")]}},
            },
        ]
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Send.ai v2 Task API (Reviewer sandbox)",
            "version": "2",
            "description": "A local implementation of the Send.ai v2 Task API, as described in reviewer/sendai/API.md.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
        },
        "paths": {
            base: {
                "get": {
                    "summary": "List tasks (extension), oldest first",
                    "parameters": [
                        _id("team_id"),
                        _id("project_id"),
                        {
                            "name": "status",
                            "in": "query",
                            "description": "One status, or several separated by commas.",
                            "schema": {"type": "string", "pattern": STATUS_LIST_PATTERN},
                        },
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200}},
                        {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                        {"name": "upload_id", "in": "query", "schema": {"type": "string", "pattern": ID_PATTERN}},
                    ],
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "required": ["payload", "next_cursor"],
                                "properties": {
                                    "payload": {"type": "array", "items": _ref("TaskSummary")},
                                    "next_cursor": {"type": ["string", "null"]},
                                },
                            },
                            "A page of tasks",
                        ),
                        **_errors("400", "401", "403", "404", "405"),
                    },
                }
            },
            base + "/{task_id}": {
                "get": {
                    "summary": "Get a task",
                    "parameters": TASK_PARAMS,
                    "responses": {
                        "200": _json(_ref("TaskEnvelope"), "The task"),
                        **_errors("400", "401", "403", "404", "405"),
                    },
                }
            },
            base + "/{task_id}/complete": _complete(),
            base + "/{task_id}/discard": _action("Discard a task", "REVIEWING only; permanent."),
            base + "/{task_id}/approve": _action("Approve a task for training", "Not while PROCESSING."),
            base + "/{task_id}/disapprove": _action("Remove a task from training", "Not while PROCESSING."),
            base + "/{task_id}/unlock": _action(
                "Unlock a finished task",
                "COMPLETED, DISCARDED or FILTERED, not exported, upload not fully processed.",
            ),
            base + "/{task_id}/report": {
                "post": {
                    "summary": "Report an issue with a task",
                    "parameters": TASK_PARAMS,
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("ReportRequest")}},
                    },
                    "responses": {
                        "201": _json(report_answer, "Report stored"),
                        "207": _json(report_answer, "Report stored; its external call failed"),
                        **_errors("400", "401", "403", "404", "405", "413", "415"),
                    },
                }
            },
            base + "/{task_id}/page/{page_id}/image": {
                "get": {
                    "summary": "A page's image (extension)",
                    "parameters": [*TASK_PARAMS, _id("page_id")],
                    "responses": {
                        "200": {"description": "The page image", "content": {"image/svg+xml": {}}},
                        **_errors("400", "401", "403", "404", "405"),
                    },
                }
            },
        },
    }
