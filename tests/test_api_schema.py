"""The API's OpenAPI schema, its Swagger UI served without the internet, and a fuzz of every operation.

Every operation the schema lists (other apps' endpoints are picked up as they are added) is called with
data generated from the schema, valid and invalid, as the admin role through the WSGI application with a
token: none may answer a server error.
"""

import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode

EXAMPLES_PER_OPERATION = 8


@pytest.fixture
def same_connection_for_wsgi_requests():
    """Like Django's test client: requests must not close the test's transaction-holding connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(role_users) -> dict:
    return {"Authorization": f"Token {Token.objects.create(user=role_users['admin']).key}"}


@pytest.fixture
def api_schema(admin_token, same_connection_for_wsgi_requests):
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application(), headers=admin_token)


def test_schema_is_openapi_3_and_needs_a_signed_in_user(client, client_for):
    assert client.get(reverse("api-schema")).status_code == 403
    response = client_for("analyst").get(reverse("api-schema"), {"format": "json"})
    assert response.json()["openapi"].startswith("3.")


def test_swagger_ui_loads_only_local_assets(client_for):
    page = client_for("analyst").get(reverse("api-docs")).content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("swagger-ui" in source for source in sources)
    assert all(source.startswith("/") for source in sources), sources
    assert "cdn" not in page.lower()


def test_every_operation_survives_fuzzing_without_a_server_error(api_schema, admin_token):
    failures = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        failures += fuzz(operation, admin_token)
    assert not failures, "\n".join(failures)


def fuzz(operation, headers: dict) -> list[str]:
    failures = []
    strategy = st.one_of(operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE))

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        # Each example runs in a savepoint rolled back afterwards: examples stay independent, and a database
        # error in one request cannot poison the test's transaction and fail the next requests.
        savepoint = transaction.savepoint()
        try:
            response = case.call(headers=headers)
        finally:
            transaction.savepoint_rollback(savepoint)
        if response.status_code >= 500:
            failures.append(f"{operation.label}: {response.status_code} for {case.as_curl_command()[:400]}")

    call()
    return failures[:1]  # the first example that failed is enough to reproduce
