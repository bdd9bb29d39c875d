"""The committed docs/openapi.yaml is the schema the code generates, the schema is valid, and the
API's real responses match it (every documented key present, no undocumented key)."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from drf_spectacular.drainage import GENERATOR_STATS

from chiso.units.models import Unit

COMMITTED = Path(__file__).resolve().parents[4] / "docs" / "openapi.yaml"
REGENERATE = "CHISO_ENV=test .venv/bin/chiso spectacular --file docs/openapi.yaml --validate --fail-on-warn"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("openapi") / "openapi.yaml"
    GENERATOR_STATS.reset()
    # As the command line does: no language activated, so the schema is in settings.LANGUAGE_CODE.
    with translation.override(settings.LANGUAGE_CODE):
        call_command("spectacular", file=str(out), validate=True, fail_on_warn=True)
    return yaml.safe_load(out.read_text(encoding="utf-8"))


def test_committed_schema_is_up_to_date(generated):
    committed = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    assert committed == generated, f"docs/openapi.yaml is out of date; regenerate it with: {REGENERATE}"


def test_schema_is_valid_and_complete(generated):
    from drf_spectacular.validation import validate_schema

    validate_schema(generated)
    paths = set(generated["paths"])
    read_only = {
        "/api/units/",
        "/api/units/{id}/",
        "/api/units/resolve/",
        "/api/regions/",
        "/api/indices/",
        "/api/frameworks/",
        "/api/frameworks/{id}/",
        "/api/results/",
        "/api/figures/{index}/{year}/",
        "/api/analysis/{index}/{unit_id}/{year}/",
        "/api/gap/{index}/{unit_id}/{year}/",
        "/api/whatif/{index}/{unit_id}/{year}/",
    }
    assert read_only <= paths
    # The plans endpoints (read and write) are checked in test_plans_api.py::test_plan_endpoints_are_documented.
    for path in read_only:
        item = generated["paths"][path]
        assert set(item) == {"get"}, path  # read-only
        op = item["get"]
        assert op.get("summary") and op.get("description"), path
        assert "200" in op["responses"] and "403" in op["responses"], path
        for param in op.get("parameters", []):
            assert param.get("description"), (path, param["name"])
    assert {"basicAuth", "cookieAuth"} <= set(generated["components"]["securitySchemes"])


# --- responses against the schema -----------------------------------------------------------------


def _strict(schema: dict, components: dict) -> dict:
    """OpenAPI 3.0 schema → JSON Schema: $refs inlined, nullable as a null type, and objects with
    declared properties closed (no undocumented key)."""
    if isinstance(schema, list):
        return [_strict(s, components) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return _strict(components[schema["$ref"].rsplit("/", 1)[1]], components)
    out = {
        k: _strict(v, components) for k, v in schema.items() if k not in ("nullable", "readOnly", "format")
    }
    if "properties" in schema and "additionalProperties" not in schema:
        out["additionalProperties"] = False
    if schema.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _operation(schema: dict, url: str) -> dict:
    path = url.split("?", 1)[0]
    if path in schema["paths"]:
        return schema["paths"][path]["get"]
    for template, item in schema["paths"].items():
        pattern = "[^/]+".join(re.escape(part) for part in re.split(r"\{[^}]+\}", template))
        if re.fullmatch(pattern, path):
            return item["get"]
    raise AssertionError(f"{path} is not in the schema")


@pytest.mark.django_db
def test_responses_match_the_schema(generated, viewer_client):
    kon_tum = Unit.objects.get(kind="province", code="62", valid_from__isnull=True)
    k = kon_tum.pk
    framework = viewer_client.get("/api/frameworks/?index=papi&year=2023").json()[0]["id"]
    calls = [
        ("/api/units/?limit=5", 200),
        (f"/api/units/{k}/", 200),
        ("/api/units/resolve/?name=Kon%20Tum&year=2023", 200),
        ("/api/units/resolve/?name=Qu%E1%BA%A3ng%20Ng%C3%A3i", 404),
        ("/api/regions/", 200),
        ("/api/indices/", 200),
        ("/api/frameworks/", 200),
        (f"/api/frameworks/{framework}/", 200),
        ("/api/results/?index=papi&year=2023&limit=5", 200),
        ("/api/results/?year=2023", 400),
        ("/api/figures/papi/2023/", 200),
        ("/api/figures/par/2023/", 200),
        (f"/api/analysis/papi/{k}/2023/", 200),
        (f"/api/analysis/par/{k}/2023/", 200),
        (f"/api/analysis/papi/{k}/1990/", 404),
        (f"/api/gap/papi/{k}/2023/?places=5", 200),
        (f"/api/gap/papi/{k}/2023/?group=Cao", 200),
        (f"/api/gap/papi/{k}/2023/?places=abc", 400),
        (f"/api/whatif/papi/{k}/2023/", 200),
        (f"/api/whatif/papi/{k}/2023/?D1.1=2", 200),
        (f"/api/whatif/papi/{k}/2023/?D1.1=abc", 400),
        # no results that year: nothing to analyse, as for the analysis itself (not a 400)
        (f"/api/whatif/papi/{k}/1990/", 404),
        (f"/api/gap/papi/{k}/1990/?places=5", 404),
        # a page that is not a whole number is refused, not read as the default
        ("/api/units/?limit=abc", 400),
        ("/api/units/?limit=5&limit=6", 400),
        ("/api/units/?offset=-1", 400),
        ("/api/results/?index=papi&year=2023&limit=0", 400),
        ("/api/plans/999999/target-review/", 404),
    ]
    components = generated["components"]["schemas"]
    for url, status in calls:
        response = viewer_client.get(url)
        assert response.status_code == status, (url, response.content[:300])
        documented = _operation(generated, url)["responses"][str(status)]
        schema = _strict(copy.deepcopy(documented["content"]["application/json"]["schema"]), components)
        jsonschema.validate(response.json(), schema)


@pytest.mark.django_db
def test_refusals_match_the_schema(generated, client, outsider):
    components = generated["components"]["schemas"]
    for signed_in in (False, True):
        if signed_in:
            client.force_login(outsider)
        for url in ("/api/units/", "/api/figures/papi/2023/"):
            response = client.get(url)
            assert response.status_code == 403
            documented = _operation(generated, url)["responses"]["403"]
            schema = _strict(documented["content"]["application/json"]["schema"], components)
            jsonschema.validate(response.json(), schema)


def test_enums_and_nullable_fields_say_what_the_api_sends(generated):
    """schemathesis found ``"commune"`` (an index scoring communes) outside the documented unit kinds, a
    sheet's ``class`` null where a string was promised, an evidence file served as its own type where
    only ``application/octet-stream`` was documented."""
    from chiso.frameworks.models import Index

    schemas = generated["components"]["schemas"]
    assert set(schemas["IndexUnitKindEnum"]["enum"]) == set(Index.UnitKind.values)
    index_kind = schemas["Index"]["properties"]["unit_kind"]["allOf"][0]["$ref"]
    assert index_kind == "#/components/schemas/IndexUnitKindEnum"
    assert schemas["Sheet"]["properties"]["class"]["nullable"] is True
    download = generated["paths"]["/api/assessment/evidence-files/{id}/"]["get"]["responses"]["200"]
    assert list(download["content"]) == ["*/*"]


def test_every_object_path_documents_404_and_every_write_400(generated):
    for url, item in generated["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            codes = set(operation["responses"])
            if "{" in url:
                assert "404" in codes, (method, url)
            if method != "get":
                assert "400" in codes, (method, url)
            if any(p["name"] == "limit" for p in operation.get("parameters", [])):
                assert "400" in codes, (method, url)
