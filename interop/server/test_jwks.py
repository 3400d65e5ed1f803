"""RS256/ES256 tokens against a --jwks file, keys chosen by kid (PROTOCOL §2 SHOULD)."""
import json
import time

import jwt
import pytest
import socketio
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from conftest import RunningServer

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


def jwk(public_key, algorithm, kid, alg):
    d = json.loads(algorithm.to_jwk(public_key))
    d.update({"kid": kid, "alg": alg, "use": "sig"})
    return d


@pytest.fixture(scope="module")
def jwks_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("jwks") / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk(RSA_KEY.public_key(), RSAAlgorithm, "rsa-1", "RS256"),
                                         jwk(EC_KEY.public_key(), ECAlgorithm, "ec-1", "ES256")]}))
    s = RunningServer("--jwks", str(path))
    yield s
    s.stop()


def signed(key, alg, kid, user):
    now = int(time.time())
    return jwt.encode({"sub": user, "iat": now, "exp": now + 600}, key, algorithm=alg, headers={"kid": kid})


@pytest.mark.parametrize("key,alg,kid", [(RSA_KEY, "RS256", "rsa-1"), (EC_KEY, "ES256", "ec-1")])
def test_asymmetric_tokens_by_kid(jwks_server, key, alg, kid):
    c = socketio.Client(reconnection=False)
    c.connect(jwks_server.url, auth={"token": signed(key, alg, kid, "asym")}, transports=["websocket"], wait_timeout=5)
    c.disconnect()


def test_unknown_key_is_invalid_signature(jwks_server):
    stranger = ec.generate_private_key(ec.SECP256R1())
    c = socketio.Client(reconnection=False)
    seen = {}
    c.on("connect_error", lambda data: seen.update(data))
    with pytest.raises(socketio.exceptions.ConnectionError):
        c.connect(jwks_server.url, auth={"token": signed(stranger, "ES256", "ec-1", "x")}, transports=["websocket"],
                  wait_timeout=5)
    assert seen == {"message": "unauthorized", "data": {"code": "token_invalid_signature"}}
