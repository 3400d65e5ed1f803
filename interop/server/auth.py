"""JWT checks of PROTOCOL.md §2 on PyJWT.

PyJWT only proves the signature here; the claim rules (required ``sub`` and
``exp``, leeway on ``exp``/``nbf``/``iat``, ``aud``) are applied afterwards
in the same order as the Swift server, so both answer a token that is wrong
in several ways with the same code.
"""
import base64
import json
import time
from urllib.parse import parse_qs

import jwt

ROLES = ("user", "service", "admin")


class AuthFailure(Exception):
    """Carries one AuthFailureCode string (PROTOCOL §2)."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


class Principal:
    __slots__ = ("user_id", "role")

    def __init__(self, user_id, role):
        self.user_id = user_id
        self.role = role


def _b64url_json(part):
    if not part or any(c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" for c in part):
        raise AuthFailure("token_malformed")
    try:
        value = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except ValueError:
        raise AuthFailure("token_malformed")
    if not isinstance(value, dict):
        raise AuthFailure("token_malformed")
    return value


def _number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


class TokenVerifier:
    def __init__(self, secret, jwks_file=None, audience=None, leeway=5.0):
        if not secret:
            raise ValueError("the JWT secret must not be empty")
        self.secret = secret
        self.audience = audience
        self.leeway = leeway
        self.jwks = {}
        if jwks_file:
            with open(jwks_file) as f:
                for key in jwt.PyJWKSet.from_dict(json.load(f)).keys:
                    if not key.key_id:
                        raise ValueError("every JWKS key needs a kid")
                    self.jwks[key.key_id] = key

    def verify(self, token, now=None):
        """Returns a Principal or raises AuthFailure."""
        if not token:
            raise AuthFailure("token_missing")
        parts = token.split(".")
        if len(parts) != 3:
            raise AuthFailure("token_malformed")
        header = _b64url_json(parts[0])
        claims = _b64url_json(parts[1])
        alg, kid = header.get("alg"), header.get("kid")
        if not isinstance(alg, str) or (kid is not None and not isinstance(kid, str)):
            raise AuthFailure("token_malformed")
        if alg not in ("HS256", "RS256", "ES256"):
            raise AuthFailure("token_invalid_signature")
        key, algorithms = self.secret, ["HS256"]
        if kid in self.jwks:
            key, algorithms = self.jwks[kid].key, [self.jwks[kid].algorithm_name]
        try:
            jwt.decode(token, key, algorithms=algorithms, options={
                "verify_signature": True, "verify_exp": False, "verify_nbf": False, "verify_iat": False,
                "verify_aud": False, "verify_iss": False, "verify_sub": False, "verify_jti": False})
        except jwt.InvalidSignatureError:
            raise AuthFailure("token_invalid_signature")
        except (jwt.InvalidAlgorithmError, jwt.InvalidKeyError):
            raise AuthFailure("token_invalid_signature")
        except jwt.DecodeError:
            raise AuthFailure("token_malformed")
        return self.check_claims(claims, time.time() if now is None else now)

    def check_claims(self, c, now):
        sub, exp = c.get("sub"), c.get("exp")
        if not isinstance(sub, str) or not sub or not _number(exp):
            raise AuthFailure("token_malformed")
        for name in ("nbf", "iat"):
            if name in c and not _number(c[name]):
                raise AuthFailure("token_malformed")
        role = c.get("role")
        if role is not None and not isinstance(role, str):
            raise AuthFailure("token_malformed")
        if now >= exp + self.leeway:
            raise AuthFailure("token_expired")
        if "nbf" in c and c["nbf"] > now + self.leeway:
            raise AuthFailure("token_not_yet_valid")
        if "iat" in c and c["iat"] > now + self.leeway:
            raise AuthFailure("token_not_yet_valid")
        if self.audience is not None:
            aud = c.get("aud")
            ok = aud == self.audience or (isinstance(aud, list) and self.audience in aud)
            if not ok:
                raise AuthFailure("audience_mismatch")
        # An unknown role string (Supabase writes "authenticated") is least privilege.
        return Principal(sub, role if role in ROLES else "user")


def bearer(authorization):
    if not authorization:
        return None
    value = authorization.strip()
    if len(value) > 7 and value[:7].lower() == "bearer ":
        return value[7:].strip() or None
    return None


def extract_token(auth, environ):
    """CONNECT payload {"token"}, then Authorization: Bearer, then ?token= (PROTOCOL §2)."""
    if isinstance(auth, dict) and isinstance(auth.get("token"), str) and auth["token"]:
        return auth["token"]
    header = bearer(environ.get("HTTP_AUTHORIZATION"))
    if header:
        return header
    query = parse_qs(environ.get("QUERY_STRING", ""))
    token = query.get("token", [None])[0]
    return token or None
