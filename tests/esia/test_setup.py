"""How ESIA login is switched on and set up: dev keys, the emulator's mounting, production."""

import stat
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve

from devtools.esia_emulator.devkeys import ensure_dev_keys
from portal.esia import crypto
from portal.esia.signer import get_signer
from tests.core.test_settings import production_env, run


@pytest.fixture
def dev_paths(settings, tmp_path):
    settings.ESIA_KEY_PATH = str(tmp_path / "esia" / "client-key.pem")
    settings.ESIA_CERT_PATH = str(tmp_path / "esia" / "client-cert.pem")
    settings.ESIA_EMULATOR_KEY_PATH = str(tmp_path / "esia" / "emulator-key.pem")
    settings.ESIA_EMULATOR_CERT_PATH = str(tmp_path / "esia" / "emulator-cert.pem")
    settings.ESIA_EMULATOR_JWS_ALGORITHM = "RS256"
    settings.ESIA_SIGNATURE_ALGORITHM = crypto.RSA
    return settings


def test_dev_keys_are_made_once_on_first_use(dev_paths):
    # given: development settings, no keys yet
    dev_paths.ESIA_DEV_KEYS_AUTOCREATE = True

    # when
    written = ensure_dev_keys()

    # then: the portal's key and certificate and the emulator's, private keys readable by us only
    assert len(written) == 4 and all(p.is_file() for p in written)
    assert stat.S_IMODE(Path(dev_paths.ESIA_KEY_PATH).stat().st_mode) == 0o600
    assert crypto.certificate_hash(dev_paths.ESIA_CERT_PATH, crypto.RSA)
    assert ensure_dev_keys() == []


def test_the_development_signer_makes_the_keys_before_it_signs(dev_paths):
    # given: development settings (ESIA_SIGNER of portal.settings.dev), no keys yet
    dev_paths.ESIA_DEV_KEYS_AUTOCREATE = True
    dev_paths.ESIA_SIGNER = "devtools.esia_emulator.devkeys.DevKeysSigner"

    # when: the login signs its first request
    signature = get_signer().sign(b"message")

    # then
    assert crypto.raw_verify(
        signature, b"message", cert_path=dev_paths.ESIA_CERT_PATH, algorithm_name=crypto.RSA
    )
    assert Path(dev_paths.ESIA_EMULATOR_CERT_PATH).is_file()


def test_dev_keys_are_not_made_outside_development(dev_paths):
    dev_paths.ESIA_DEV_KEYS_AUTOCREATE = False
    assert ensure_dev_keys() == []
    assert not Path(dev_paths.ESIA_KEY_PATH).exists()


def test_dev_keys_command_makes_gost_keys(dev_paths, capsys):
    if not crypto.gost_engine_available():
        pytest.skip("нет движка OpenSSL gost: apt-get install libengine-gost-openssl")
    dev_paths.ESIA_SIGNATURE_ALGORITHM = crypto.GOST
    call_command("esia_dev_keys")
    assert crypto.is_gost_certificate(dev_paths.ESIA_CERT_PATH)
    assert not crypto.is_gost_certificate(dev_paths.ESIA_EMULATOR_CERT_PATH)  # RS256 by default
    call_command("esia_dev_keys")
    assert "ключи уже есть" in capsys.readouterr().out


def test_dev_keys_command_makes_a_gost_key_for_the_emulator_when_it_signs_gost(dev_paths):
    if not crypto.gost_engine_available():
        pytest.skip("нет движка OpenSSL gost: apt-get install libengine-gost-openssl")
    dev_paths.ESIA_EMULATOR_JWS_ALGORITHM = "GOST3410_2012_256"
    call_command("esia_dev_keys")
    assert crypto.is_gost_certificate(dev_paths.ESIA_EMULATOR_CERT_PATH)


def test_esia_login_is_off_without_a_client_id(settings, client):
    settings.ESIA_CLIENT_ID = ""
    assert client.get("/accounts/esia/login/").status_code == 404


def test_the_emulator_is_mounted_in_tests():
    assert resolve("/esia-emulator/aas/oauth2/v2/ac").url_name == "authorize"
    with pytest.raises(Resolver404):
        resolve("/esia-emulator/admin/")


PROBE = """
import django
django.setup()
from django.conf import settings
from django.urls import Resolver404, resolve
try:
    resolve("/esia-emulator/aas/oauth2/v2/ac")
    print("mounted")
except Resolver404:
    print("not mounted")
print(settings.ESIA_BASE_URL)
print(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"])
print(settings.ESIA_ID_TOKEN_KEYS, settings.ESIA_SIGNATURE_FORMAT, settings.ESIA_CERT_HASH_CASE)
"""
ESIA_ENV = {
    "ESIA_CLIENT_ID": "INSURED-PORTAL",
    "ESIA_BASE_URL": "https://esia.gosuslugi.ru",
    "ESIA_ISSUER": "http://esia.gosuslugi.ru/",
    "ESIA_ID_TOKEN_KEYS": "GOST3410_2012_256=/etc/portal/esia/esia-gost.pem",
    "ESIA_KEY_PATH": "/etc/portal/esia/key.pem",
    "ESIA_CERT_PATH": "/etc/portal/esia/cert.pem",
}


def test_production_with_esia_has_no_emulator_and_allows_the_esia_form_redirect():
    result = run(["-c", PROBE], "portal.settings.production", **production_env(), **ESIA_ENV)
    assert result.returncode == 0, result.stderr
    mounted, base_url, form_action, esia_defaults = result.stdout.strip().splitlines()
    assert mounted == "not mounted"
    assert esia_defaults == ("{'GOST3410_2012_256': '/etc/portal/esia/esia-gost.pem'} raw upper")
    assert base_url == "https://esia.gosuslugi.ru"
    assert "https://esia.gosuslugi.ru" in form_action


def test_production_accepts_only_known_id_token_algorithms():
    variables = {**production_env(), **ESIA_ENV, "ESIA_ID_TOKEN_KEYS": "HS256=/etc/portal/x.pem"}
    result = run(["-c", "import django; django.setup()"], "portal.settings.production", **variables)
    assert result.returncode != 0
    assert "ESIA_ID_TOKEN_KEYS" in result.stderr


@pytest.mark.parametrize("missing", ["ESIA_ID_TOKEN_KEYS", "ESIA_KEY_PATH", "ESIA_ISSUER"])
def test_production_with_esia_needs_its_certificates_and_key(missing):
    variables = {**production_env(), **ESIA_ENV}
    del variables[missing]
    result = run(["-c", "import django; django.setup()"], "portal.settings.production", **variables)
    assert result.returncode != 0
    assert missing in result.stderr
