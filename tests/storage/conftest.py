"""The storage tests run against a real S3-compatible server: moto's server mode, which `.ci/run`
starts on a free loopback port and names in S3_TEST_ENDPOINT_URL. Without it they are skipped,
or fail where S3_REQUIRED is set (CI): the shared storage must be tested, not assumed."""

import os
import uuid

import pytest
from django.core.files.storage import default_storage, storages
from django.utils.functional import empty

from portal.settings.base import s3_storage
from tests.claims.conftest import kasko, person  # noqa: F401 (fixtures of the claims tests)

REGION = "ru-central1"  # Yandex Object Storage's; moto takes any


@pytest.fixture(scope="session")
def s3_endpoint() -> str:
    endpoint = os.environ.get("S3_TEST_ENDPOINT_URL", "")
    if not endpoint:
        message = "S3_TEST_ENDPOINT_URL не задан: нет S3-совместимого сервера (moto_server)"
        if os.environ.get("S3_REQUIRED"):
            pytest.fail(message)
        pytest.skip(message)
    return endpoint


def s3_client(endpoint: str):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name=REGION,
    )


def fresh_instance() -> None:
    """What another web or worker instance has: no storage object, no connection made yet."""
    storages._storages = {}
    default_storage._wrapped = empty


@pytest.fixture
def bucket(settings, s3_endpoint):
    """A bucket of the test's own, private, as the default storage (path-style addressing, as
    moto and most S3-compatible stores take it)."""
    name = f"portal-test-{uuid.uuid4().hex[:12]}"
    client = s3_client(s3_endpoint)
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(
            bucket=name,
            endpoint_url=s3_endpoint,
            access_key="testing",
            secret_key="testing",
            region=REGION,
            addressing_style="path",
        ),
    }

    class Bucket:
        def keys(self) -> list[str]:
            found = client.list_objects_v2(Bucket=name).get("Contents", [])
            return sorted(item["Key"] for item in found)

        def read(self, key: str) -> bytes:
            return client.get_object(Bucket=name, Key=key)["Body"].read()

        def delete(self, key: str) -> None:
            client.delete_object(Bucket=name, Key=key)

    return Bucket()
