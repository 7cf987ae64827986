"""Loaded by schemathesis in bench/fuzz rounds (SCHEMATHESIS_HOOKS): the fuzzer may block,
demote or revoke anyone but the personas it runs as, or every later case would test a 401.

Generated ids are filtered; ids the stateful phase takes from answers (GET /api/tokens lists
the persona's own token) are swapped for one that exists nowhere just before the call."""

from __future__ import annotations

import json
import os
from typing import Any

import schemathesis

SPARED: dict[str, list[int]] = json.loads(os.environ.get("SITROOM_FUZZ_SPARED", "{}"))
NOBODY = 2**31 - 1


def _spared(name: str, value: Any) -> bool:
    return str(value) in {str(i) for i in SPARED.get(name, [])}


@schemathesis.hook
def filter_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> bool:
    del context
    return not any(_spared(k, v) for k, v in (path_parameters or {}).items())


@schemathesis.hook
def before_call(context: Any, case: Any, **kwargs: Any) -> None:
    del context, kwargs
    ids = case.path_parameters or {}
    for name, value in list(ids.items()):
        if _spared(name, value):
            ids[name] = NOBODY
