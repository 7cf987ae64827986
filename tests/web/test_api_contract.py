"""The API keeps its OpenAPI contract under schemathesis (issue 21): for every operation in the
schema — new ones included, since the list is read from the document — requests built from it,
valid and deliberately invalid, sent as an admin, an analyst and a reporter, get no 5xx, only
documented statuses and content types, bodies that match their documented schema, refusals of
what the schema forbids and acceptance of what it allows (schemathesis.toml says which refusals
a valid write may still get).

Fixed seed and few examples per operation, so a run is the same every time and stays short;
bench/fuzz runs the long version with random seeds. The world's records are synthetic
(tests/web/conftest.py); this module has its own, since the fuzzer writes into it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import schemathesis
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from hypothesis import HealthCheck, assume, given, seed, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode

from tests.web.conftest import World

ROOT = Path(__file__).resolve().parents[2]
SEED = 21
EXAMPLES = 6  # per operation, generation mode and persona
PERSONAS = ("admin", "bob", "alice")  # administrator, analyst, reporter


def load_schema(app: Any) -> Any:
    config = schemathesis.Config.from_path(ROOT / "schemathesis.toml")
    config.update(seed=SEED, max_failures=None)
    return schemathesis.openapi.from_asgi("/api/openapi.json", app, config=config)


def spares(persona_users: set[int], persona_tokens: set[int], case: Case) -> bool:
    """The fuzzer may block, demote or revoke anyone but the people it is testing as: once
    they lose their role or token, every later case would test a 401."""
    ids = case.path_parameters or {}
    if case.method == "PATCH" and ids.get("user_id") in persona_users:
        return False
    return not (case.method == "DELETE" and ids.get("token_id") in persona_tokens)


def first_lines(exc: BaseException) -> str:
    parts = getattr(exc, "exceptions", None) or [exc]
    return " | ".join((str(p).strip().splitlines() or [type(p).__name__])[0] for p in parts)


def contract_failures(
    app: Any, tokens: dict[str, str], keep: Callable[[Case], bool] = lambda case: True
) -> list[str]:
    """Every operation of the app's schema, in both generation modes, as each persona: what
    broke the contract, one line each."""
    found = []
    for result in load_schema(app).get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for who, token in tokens.items():
                label = f"{operation.method.upper()} {operation.path} ({mode.value}, as {who})"
                try:
                    _run(operation, mode, {"authorization": f"Bearer {token}"}, keep)
                except Unsatisfiable:
                    if mode is GenerationMode.POSITIVE:
                        found.append(f"{label}: no request could be built")
                    # Negative: the operation takes nothing that could be made invalid.
                except (Exception, BaseExceptionGroup) as exc:  # schemathesis groups failures
                    found.append(f"{label}: {first_lines(exc)}")
    return found


def _run(
    operation: Any, mode: GenerationMode, headers: dict[str, str], keep: Callable[[Case], bool]
) -> None:
    @seed(SEED)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Case) -> None:
        assume(keep(case))
        case.call_and_validate(headers=headers)

    check()


def test_every_operation_keeps_its_contract_for_every_persona(world: World) -> None:
    users = {world.users[who].id for who in PERSONAS}
    tokens = {world.token_ids[who] for who in PERSONAS}
    failures = contract_failures(
        world.app,
        {who: world.tokens[who] for who in PERSONAS},
        keep=lambda case: spares(users, tokens, case),
    )
    assert not failures, "\n".join(failures)


def test_the_contract_run_covers_every_operation_in_the_schema(world: World) -> None:
    """No operation is left out of the run above: it reads them from the document."""
    tested = {
        (r.ok().method.upper(), r.ok().path) for r in load_schema(world.app).get_all_operations()
    }
    documented = {
        (method.upper(), path)
        for path, methods in world.app.openapi()["paths"].items()
        for method in methods
    }
    assert tested == documented and len(tested) >= 20


def test_the_contract_run_reports_an_answer_the_schema_does_not_list() -> None:
    """The run can fail: an app whose one operation answers a status and body its schema does
    not document is reported, with the operation named."""
    app = FastAPI(openapi_url="/api/openapi.json")

    @app.get("/api/teapot", response_model=dict[str, int])
    def teapot(cups: int = 1) -> JSONResponse:
        return JSONResponse({"cups": "many"}, status_code=418 if cups > 2 else 200)

    failures = contract_failures(app, {"anyone": "no-token-needed"})
    assert failures and all(f.startswith("GET /api/teapot") for f in failures)
    assert any("Undocumented status code" in f for f in failures), failures
