"""Run options as keyword arguments: the fields of the API's ``RunDefinition``, which are
``Coordinator train``'s flags with ``-`` written ``_`` (``--meta-batch`` is ``meta_batch``).

The names come from the generated message, not from a list kept here, so a field added to the
proto is accepted once the stubs are regenerated. Values are checked for their type here; their
ranges and combinations are checked by the coordinator, which answers ``InvalidArgument`` naming
the field.
"""
from __future__ import annotations

import difflib
import numbers
import os
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping

from google.protobuf.descriptor import FieldDescriptor

from ._proto.api.v1 import cluster_api_pb2 as api

__all__ = ["OPTION_NAMES", "check_names", "run_definition", "definition_dict"]

_FIELDS = {f.name: f for f in api.RunDefinition.DESCRIPTOR.fields}

#: Every keyword ``Client.submit`` accepts as a run option.
OPTION_NAMES: FrozenSet[str] = frozenset(_FIELDS)

# Flags of `train` that describe the local process rather than the run; a cluster run has none of them.
_TRAIN_ONLY = {
    "out": "the run directory lives on the coordinator: use run.download(directory)",
    "resume": "a coordinator resumes its unfinished runs itself",
    "threads": "each TaskWorker process sets its own --threads",
    "metrics_port": "it is a flag of the coordinator and worker processes",
    "data_plane": "cluster workers always reach the data plane over gRPC",
    "trace_console": "it is a flag of the coordinator process",
    "no_report": "a cluster run writes no report",
    "config": "pass the options as keywords (e.g. submit(**yaml.safe_load(f)))",
}

_INTEGER_TYPES = {
    FieldDescriptor.TYPE_INT32, FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_UINT32,
    FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_SINT32, FieldDescriptor.TYPE_SINT64,
}
_REAL_TYPES = {FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT}


def check_names(options: Mapping[str, Any]) -> None:
    """TypeError naming the first keyword that is not a run option (with a hint where there is one)."""
    for name in options:
        if name in _FIELDS:
            continue
        key = name.replace("-", "_")
        if key in _TRAIN_ONLY:
            hint = f": it is a `train` flag only ({_TRAIN_ONLY[key]})"
        elif key in _FIELDS:
            hint = f"; did you mean {key!r}?"
        else:
            close = difflib.get_close_matches(key, sorted(_FIELDS), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
        raise TypeError(f"submit() got an unexpected keyword argument {name!r}{hint}")


def run_definition(options: Mapping[str, Any]) -> api.RunDefinition:
    """The ``RunDefinition`` message for keyword options; an option given as None is left unset
    (the coordinator then uses ``train``'s default).

    Raises:
        TypeError: an unknown option, or a value of the wrong type (both name the option).
        ValueError: an integer outside its field's range.
    """
    check_names(options)
    definition = api.RunDefinition()
    for name, value in options.items():
        if value is None:
            continue
        field = _FIELDS[name]
        try:
            if field.label == FieldDescriptor.LABEL_REPEATED:
                getattr(definition, name).extend(_list(name, field, value))
            else:
                setattr(definition, name, _scalar(name, field, value))
        except ValueError as error:  # out of the field's integer range (int32, uint64)
            raise ValueError(f"{name}: {error}") from None
    return definition


def _list(name: str, field: FieldDescriptor, value: Any) -> List[Any]:
    # A comma-separated string is what the command line takes (`--eval-inner-steps 1,10`,
    # `--eval-groups A,B`); paths are never split, one path is a list of one.
    if isinstance(value, (str, os.PathLike)):
        if field.type == FieldDescriptor.TYPE_STRING and name in ("data", "eval_data"):
            items: Iterable[Any] = [value]
        else:
            items = [part.strip() for part in str(value).split(",") if part.strip()]
            if field.type in _INTEGER_TYPES:
                items = [_parse_int(name, part) for part in items]
    elif isinstance(value, numbers.Integral) and not isinstance(value, bool):
        items = [value]
    else:
        try:
            items = list(value)
        except TypeError:
            raise TypeError(f"{name} must be a list, got {type(value).__name__}") from None
    return [_scalar(name, field, item) for item in items]


def _scalar(name: str, field: FieldDescriptor, value: Any) -> Any:
    if field.type == FieldDescriptor.TYPE_BOOL:
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be True or False, got {value!r}")
        return value
    if field.type in _INTEGER_TYPES:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an integer, got {value!r}")
        return int(value)
    if field.type in _REAL_TYPES:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a number, got {value!r}")
        return float(value)
    if field.type == FieldDescriptor.TYPE_STRING:
        if isinstance(value, os.PathLike):
            return os.fspath(value)
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a string, got {value!r}")
        return value
    raise TypeError(f"{name}: the client cannot set a field of protobuf type {field.type}")


def _parse_int(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise TypeError(f"{name} must be integers, got {text!r}") from None


def definition_dict(definition: api.RunDefinition) -> Dict[str, Any]:
    """A ``RunDefinition`` message as a plain dict of the fields that are set."""
    result: Dict[str, Any] = {}
    for field, value in definition.ListFields():
        result[field.name] = list(value) if field.label == FieldDescriptor.LABEL_REPEATED else value
    return result
