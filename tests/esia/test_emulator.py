"""What ESIA (here its emulator) refuses, and what the portal refuses from ESIA: each case goes
through the portal's real client code and the emulator over HTTP."""

import base64
import datetime
import hashlib
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import jwt
import pytest
import requests
import time_machine
from allauth.socialaccount.models import SocialAccount
from django.utils import timezone

from portal.accounts.models import User
from portal.esia import client as esia_client
from portal.esia import crypto, jws
from portal.esia.client import EsiaError
from portal.esia.signer import get_signer

from .conftest import (
    CALLBACK_PATH,
    DEMO_TWIN,
    SOKOLOVA,
    Visitor,
    keys_for,
    query,
    require_gost,
    use_algorithm,
    use_jws_algorithm,
)

pytestmark = pytest.mark.django_db(transaction=True)

SCOPE = "openid fullname birthdate id_doc mobile email"


def _redirect_uri(visitor: Visitor) -> str:
    return f"{visitor.base_url}{CALLBACK_PATH}"


def _authorize(
    visitor: Visitor,
    *,
    scope: str = SCOPE,
    state: str | None = None,
    client_id: str | None = None,
    redirect_uri: str | None = None,
    after: dict[str, str] | None = None,
):
    """GET a v2/ac URL signed by the portal's client, with `after` replacing query values once
    the URL is signed."""
    url = esia_client.authorization_url(
        client_id=client_id or _settings().ESIA_CLIENT_ID,
        scope=scope,
        redirect_uri=redirect_uri or _redirect_uri(visitor),
        state=state or str(uuid.uuid4()),
    )
    if after:
        url = f"{url.split('?')[0]}?{urlencode({**query(url), **after})}"
    return visitor.get(url)


def _settings():
    from django.conf import settings

    return settings


def _esia_error(response) -> str:
    """The ESIA error code the emulator sent back to the redirect_uri."""
    assert response.status_code == 302, response.text[:300]
    description = query(response.headers["Location"]).get("error_description", "")
    return description.split(":")[0]


def _code(visitor: Visitor, oid: str = SOKOLOVA) -> tuple[str, dict[str, str]]:
    """A fresh authorization code, from a consent given on the emulator's page."""
    to_esia = visitor.start_esia_login()
    params = query(to_esia.headers["Location"])
    back = visitor.pick_person(visitor.consent_page(to_esia.headers["Location"]), oid)
    return query(back.headers["Location"])["code"], params


def _exchange(params: dict[str, str], code: str, **override) -> dict:
    values = {
        "client_id": params["client_id"],
        "scope": params["scope"],
        "redirect_uri": params["redirect_uri"],
        **override,
    }
    return esia_client.token_exchange(code=code, **values)


# --- v2/ac ------------------------------------------------------------------------------------


def test_a_correct_request_shows_the_consent_page(esia, visitor):
    page = _authorize(visitor)
    assert page.status_code == 200
    assert "Соколова Мария Игоревна" in page.text
    assert "Паспорт гражданина РФ" in page.text


@pytest.mark.parametrize("algorithm", [crypto.RSA, crypto.GOST])
@pytest.mark.parametrize("signature_format", ["cms", "raw"])
def test_consent_page_accepts_each_signer_setting(
    esia, esia_keys, visitor, algorithm, signature_format
):
    use_algorithm(esia, esia_keys, algorithm, signature_format)
    assert _authorize(visitor).status_code == 200


def test_state_must_be_a_uuid(esia, visitor):
    assert _esia_error(_authorize(visitor, state="Xq3Vb9kLm2Np7Rs1")) == "ESIA-007003"


def test_state_changed_after_signing_breaks_the_signature(esia, visitor):
    assert _esia_error(_authorize(visitor, after={"state": str(uuid.uuid4())})) == "ESIA-007053"


def test_scope_reordered_after_signing_is_refused(esia, visitor):
    reordered = "openid email mobile id_doc birthdate fullname"
    assert _esia_error(_authorize(visitor, after={"scope": reordered})) == "ESIA-007053"


def test_unknown_scope_is_refused(esia, visitor):
    assert _esia_error(_authorize(visitor, scope="openid fullname passwords")) == "ESIA-007006"


@pytest.mark.parametrize("minutes", [-10, 10])
def test_stale_or_future_timestamp_is_refused(esia, visitor, minutes):
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=True):
        url = esia_client.authorization_url(
            client_id=esia.ESIA_CLIENT_ID,
            scope=SCOPE,
            redirect_uri=_redirect_uri(visitor),
            state=str(uuid.uuid4()),
        )
    assert _esia_error(visitor.get(url)) == "ESIA-007015"


def test_timestamp_within_the_skew_is_accepted(esia, visitor):
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=3), tick=True):
        url = esia_client.authorization_url(
            client_id=esia.ESIA_CLIENT_ID,
            scope=SCOPE,
            redirect_uri=_redirect_uri(visitor),
            state=str(uuid.uuid4()),
        )
    assert visitor.get(url).status_code == 200


@pytest.mark.parametrize("algorithm", [crypto.RSA, crypto.GOST])
def test_hash_of_the_pem_text_instead_of_der_is_refused(esia, esia_keys, visitor, algorithm):
    # given: the certificate hash computed over the PEM file, a classic mistake (ESIA-007053)
    registered = use_algorithm(esia, esia_keys, algorithm)
    pem = Path(registered.cert).read_bytes()
    if algorithm == crypto.RSA:
        esia.ESIA_CERT_HASH = hashlib.sha256(pem).hexdigest()
    else:
        result = crypto.run_openssl(
            "openssl", ["dgst", "-engine", "gost", "-md_gost12_256", "-binary"], stdin=pem
        )
        esia.ESIA_CERT_HASH = result.stdout.hex()
    assert crypto.certificate_hash(registered.cert, algorithm) != esia.ESIA_CERT_HASH

    # then
    assert _esia_error(_authorize(visitor)) == "ESIA-007053"


@pytest.mark.parametrize("algorithm", [crypto.RSA, crypto.GOST])
@pytest.mark.parametrize("signature_format", ["cms", "raw"])
def test_signature_by_another_key_is_refused(esia, esia_keys, visitor, algorithm, signature_format):
    # given: the portal names the registered certificate but signs with another key
    registered = use_algorithm(esia, esia_keys, algorithm, signature_format)
    _registered, other = keys_for(esia_keys, algorithm)
    esia.ESIA_CERT_HASH = crypto.certificate_hash(registered.cert, algorithm)
    esia.ESIA_KEY_PATH, esia.ESIA_CERT_PATH = other.key, other.cert

    # then
    assert _esia_error(_authorize(visitor)) == "ESIA-007053"


def test_certificate_not_registered_is_refused(esia, esia_keys, visitor):
    esia.ESIA_KEY_PATH, esia.ESIA_CERT_PATH = esia_keys.other_rsa.key, esia_keys.other_rsa.cert
    assert _esia_error(_authorize(visitor)) == "ESIA-007053"


def test_missing_parameter_is_refused(esia, visitor):
    assert _esia_error(_authorize(visitor, after={"client_secret": ""})) == "ESIA-007014"


def test_unknown_system_and_foreign_redirect_uri_get_an_error_page(esia, visitor):
    unknown = _authorize(visitor, client_id="SOMEONE-ELSE")
    foreign = _authorize(visitor, redirect_uri="https://evil.example/accounts/esia/callback/")
    assert unknown.status_code == 400 and "ESIA-007002" in unknown.text
    assert foreign.status_code == 400 and "ESIA-007023" in foreign.text


# --- the portal's callback --------------------------------------------------------------------


def test_callback_with_a_tampered_state_logs_nobody_in(esia, visitor):
    to_esia = visitor.start_esia_login()
    back = visitor.pick_person(visitor.consent_page(to_esia.headers["Location"]), SOKOLOVA)
    params = query(back.headers["Location"])
    tampered = f"{CALLBACK_PATH}?{urlencode({**params, 'state': str(uuid.uuid4())})}"

    answer = visitor.get(tampered)

    assert answer.status_code == 401 and "Не удалось войти через Госуслуги" in answer.text
    assert not User.objects.exists()
    assert visitor.get("/accounts/3rdparty/signup/").headers["Location"] == "/accounts/login/"


def test_replayed_callback_is_refused(esia, visitor):
    to_esia = visitor.start_esia_login()
    back = visitor.pick_person(visitor.consent_page(to_esia.headers["Location"]), SOKOLOVA)
    first = visitor.get(back.headers["Location"])
    assert first.headers["Location"] == "/accounts/3rdparty/signup/"

    again = visitor.get(back.headers["Location"])

    assert again.status_code == 401


def test_id_token_signed_by_someone_else_logs_nobody_in(esia, esia_keys, visitor):
    # given: the portal trusts another certificate than the one that signed the id_token
    esia.ESIA_ID_TOKEN_KEYS = {"RS256": esia_keys.other_esia.cert}

    # when
    answer = visitor.esia_login(SOKOLOVA)

    # then
    assert answer.status_code == 401 and "Не удалось войти через Госуслуги" in answer.text
    assert not SocialAccount.objects.exists()


def test_signer_failure_is_shown_as_a_login_error(esia, visitor, tmp_path):
    esia.ESIA_KEY_PATH = str(tmp_path / "missing-key.pem")
    visitor.get("/accounts/esia/login/")
    answer = visitor.post("/accounts/esia/login/", {})
    assert answer.status_code == 401 and "Не удалось войти через Госуслуги" in answer.text


# --- v3/te ------------------------------------------------------------------------------------


def test_code_gives_tokens_once(esia, visitor):
    code, params = _code(visitor)

    tokens = _exchange(params, code)
    claims = esia_client.id_token_claims(tokens["id_token"], client_id=params["client_id"])

    assert claims["sub"] == SOKOLOVA and tokens["refresh_token"]
    with pytest.raises(EsiaError, match="ESIA-007011"):
        _exchange(params, code)


def test_code_expires(esia, visitor):
    esia.ESIA_EMULATOR_CODE_TTL = 1
    code, params = _code(visitor)
    time.sleep(1.5)
    with pytest.raises(EsiaError, match="ESIA-007011"):
        _exchange(params, code)


@pytest.mark.parametrize(
    "override",
    [
        {"redirect_uri": "http://localhost:1/accounts/esia/login/callback/"},
        {"scope": "openid fullname"},
    ],
    ids=["redirect_uri", "scope"],
)
def test_code_is_bound_to_redirect_uri_and_scope(esia, visitor, override):
    code, params = _code(visitor)
    with pytest.raises(EsiaError, match="ESIA-007011"):
        _exchange(params, code, **override)
    # the code was burnt by the mismatched attempt
    with pytest.raises(EsiaError, match="ESIA-007011"):
        _exchange(params, code)


def test_code_of_another_system_is_refused(esia, visitor):
    code, params = _code(visitor)
    with pytest.raises(EsiaError, match="ESIA-007002"):
        _exchange(params, code, client_id="SOMEONE-ELSE")


def test_token_request_signed_without_the_code_is_refused(esia, visitor):
    code, params = _code(visitor)
    signer = get_signer()
    moment, state = esia_client.timestamp(), str(uuid.uuid4())
    signed = params["client_id"] + params["scope"] + moment + state + params["redirect_uri"]
    answer = requests.post(
        f"{esia.ESIA_BASE_URL}/aas/oauth2/v3/te",
        data={
            "client_id": params["client_id"],
            "code": code,
            "grant_type": "authorization_code",
            "client_secret": signer.client_secret(signed),
            "state": state,
            "redirect_uri": params["redirect_uri"],
            "scope": params["scope"],
            "timestamp": moment,
            "token_type": "Bearer",
            "client_certificate_hash": signer.certificate_hash(),
        },
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.json()["error_description"].startswith("ESIA-007053")
    assert answer.json()["state"] == state
    # the code is still good for a correctly signed request
    assert _exchange(params, code)["access_token"]


class _WrongStateEsia(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's name
        body = json.dumps(
            {
                "access_token": "a",
                "id_token": "b",
                "state": str(uuid.uuid4()),
                "token_type": "Bearer",
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_token_answer_with_another_state_is_refused(esia):
    # given: a peer that answers v3/te with a state it was not sent
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WrongStateEsia)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    esia.ESIA_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with pytest.raises(EsiaError, match="state"):
            esia_client.token_exchange(
                client_id=esia.ESIA_CLIENT_ID,
                code="c",
                scope=SCOPE,
                redirect_uri="http://localhost/cb/",
            )
    finally:
        server.shutdown()


# --- /rs/prns ---------------------------------------------------------------------------------


def test_person_data_needs_the_bearer_token_of_that_person(esia, visitor):
    code, params = _code(visitor)
    token = _exchange(params, code)["access_token"]

    assert esia_client.person(oid=SOKOLOVA, access_token=token)["lastName"] == "Соколова"
    documents = esia_client.person_documents(oid=SOKOLOVA, access_token=token)
    assert documents[0]["type"] == "RF_PASSPORT" and documents[0]["number"] == "345678"
    with pytest.raises(EsiaError, match="HTTP 403"):
        esia_client.person(oid=DEMO_TWIN, access_token=token)
    with pytest.raises(EsiaError, match="HTTP 401"):
        esia_client.person(oid=SOKOLOVA, access_token=token[:-4] + "AAAA")
    bare = requests.get(f"{esia.ESIA_BASE_URL}/rs/prns/{SOKOLOVA}", timeout=10)
    assert bare.status_code == 401


def test_person_data_is_limited_to_the_scope(esia, visitor):
    # given: a token for the name only
    narrow = "openid fullname"
    page = _authorize(visitor, scope=narrow)
    request_id = page.text.split('name="request" value="')[1].split('"')[0]
    back = visitor.post(
        "/esia-emulator/aas/oauth2/v2/ac",
        {"request": request_id, "oid": SOKOLOVA, "decision": "allow"},
    )
    code = query(back.headers["Location"])["code"]
    params = {"client_id": esia.ESIA_CLIENT_ID, "scope": narrow}
    token = _exchange({**params, "redirect_uri": _redirect_uri(visitor)}, code)["access_token"]

    # then: the name, no birth date, no documents, no contacts
    data = esia_client.person(oid=SOKOLOVA, access_token=token)
    assert data["lastName"] == "Соколова" and "birthDate" not in data
    with pytest.raises(EsiaError, match="HTTP 403"):
        esia_client.person_documents(oid=SOKOLOVA, access_token=token)
    with pytest.raises(EsiaError, match="HTTP 403"):
        esia_client.person_contacts(oid=SOKOLOVA, access_token=token)


def test_collections_without_embed_list_links(esia, visitor):
    code, params = _code(visitor)
    token = _exchange(params, code)["access_token"]
    answer = requests.get(
        f"{esia.ESIA_BASE_URL}/rs/prns/{SOKOLOVA}/ctts",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    assert answer["size"] == 2
    assert all(isinstance(e, str) and "/ctts/" in e for e in answer["elements"])


# --- the signature format and the certificate hash's case, as settings ------------------------


@pytest.mark.parametrize(
    ("sent", "expected"), [("cms", "raw"), ("raw", "cms")], ids=["cms-to-raw", "raw-to-cms"]
)
def test_signature_in_another_format_than_esia_expects_is_refused(esia, visitor, sent, expected):
    # given: the portal sends one format, ESIA (the emulator) is set up for the other
    esia.ESIA_SIGNATURE_FORMAT = sent
    esia.ESIA_EMULATOR_SIGNATURE_FORMAT = expected
    assert _esia_error(_authorize(visitor)) == "ESIA-007053"

    # when the portal's setting matches, the same request is accepted
    esia.ESIA_SIGNATURE_FORMAT = expected
    assert _authorize(visitor).status_code == 200


def test_raw_is_the_default_signature_format(esia, visitor):
    from portal.settings import base

    assert base.ESIA_SIGNATURE_FORMAT == "raw"
    esia.ESIA_EMULATOR_SIGNATURE_FORMAT = "raw"
    secret = query(_authorize_url(visitor))["client_secret"]
    assert len(base64.urlsafe_b64decode(secret)) == 256  # a bare RSA-2048 signature, no CMS


@pytest.mark.parametrize(("sent", "expected"), [("lower", "upper"), ("upper", "lower")])
def test_certificate_hash_in_the_other_case_is_refused(esia, visitor, sent, expected):
    esia.ESIA_CERT_HASH_CASE = sent
    esia.ESIA_EMULATOR_CERT_HASH_CASE = expected
    assert _esia_error(_authorize(visitor)) == "ESIA-007053"
    esia.ESIA_CERT_HASH_CASE = expected
    sent_hash = query(_authorize_url(visitor))["client_certificate_hash"]
    assert sent_hash == (sent_hash.upper() if expected == "upper" else sent_hash.lower())
    assert _authorize(visitor).status_code == 200


def _authorize_url(visitor: Visitor) -> str:
    return esia_client.authorization_url(
        client_id=_settings().ESIA_CLIENT_ID,
        scope=SCOPE,
        redirect_uri=_redirect_uri(visitor),
        state=str(uuid.uuid4()),
    )


# --- id_tokens signed with GOST R 34.10-2012 --------------------------------------------------


def test_emulator_signs_gost_id_tokens_that_the_portal_verifies(esia, esia_keys, visitor):
    # given: ESIA (the emulator) signs with GOST, the portal accepts GOST with ESIA's certificate
    use_jws_algorithm(esia, esia_keys, jws.GOST_JWA)
    code, params = _code(visitor)

    # when
    tokens = _exchange(params, code)

    # then
    assert jwt.get_unverified_header(tokens["id_token"])["alg"] == "GOST3410_2012_256"
    claims = esia_client.id_token_claims(tokens["id_token"], client_id=params["client_id"])
    assert claims["sub"] == SOKOLOVA
    assert esia_client.person(oid=SOKOLOVA, access_token=tokens["access_token"])["lastName"]


def test_gost_id_token_by_a_key_other_than_esias_logs_nobody_in(esia, esia_keys, visitor):
    # given: the portal trusts another GOST certificate than the one that signs
    use_jws_algorithm(esia, esia_keys, jws.GOST_JWA)
    require_gost(esia_keys.other_esia_gost)
    esia.ESIA_ID_TOKEN_KEYS = {jws.GOST_JWA: esia_keys.other_esia_gost.cert}

    answer = visitor.esia_login(SOKOLOVA)

    assert answer.status_code == 401 and "Не удалось войти через Госуслуги" in answer.text
    assert not SocialAccount.objects.exists()


def test_id_token_in_an_algorithm_not_allowed_logs_nobody_in(esia, esia_keys, visitor):
    # given: ESIA signs GOST, the portal is set up for RS256 only (with ESIA's certificate)
    pair = use_jws_algorithm(esia, esia_keys, jws.GOST_JWA)
    esia.ESIA_ID_TOKEN_KEYS = {jws.RS256: pair.cert}

    answer = visitor.esia_login(SOKOLOVA)

    assert answer.status_code == 401
    assert not SocialAccount.objects.exists()
