"""HS256 tokens with the standard library only, as the contract's servers verify them
(PROTOCOL §2: `sub` and `exp` required, `role` optional)."""
import base64, hashlib, hmac, json, time


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def mint(secret: str, sub: str, role: str | None = None, ttl: int = 3600) -> str:
    now = int(time.time())
    claims = {"sub": sub, "iat": now, "exp": now + ttl}
    if role:
        claims["role"] = role
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    sig = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(sig)}"


def user_id(index: int, users: int) -> str:
    """Stampede's scenario user ids (u0000…), so both generators subscribe as the owners."""
    width = max(4, len(str(max(users - 1, 0))))
    return "u" + str(index).zfill(width)
