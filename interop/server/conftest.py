"""Starts interop/server/server.py on an ephemeral port for the tests beside it."""
import os
import subprocess
import sys
import time

import jwt
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SECRET = "interop-test-secret-of-32-bytes-or-more"


class RunningServer:
    def __init__(self, *extra):
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "server.py"), "--port", "0",
                                      "--jwt-secret", SECRET, "--step-delay", "20", "--ping-interval", "3000",
                                      "--ping-timeout", "3000", *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        line = self.proc.stdout.readline().strip()
        assert line.startswith("listening on http://127.0.0.1:"), line
        self.url = line.split()[-1]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def token(user="u1", role=None, expires_in=3600, secret=SECRET, **claims):
    now = int(time.time())
    body = {"sub": user, "iat": now, "exp": now + expires_in}
    if role:
        body["role"] = role
    body.update(claims)
    return jwt.encode({k: v for k, v in body.items() if v is not None}, secret, algorithm="HS256")


@pytest.fixture(scope="module")
def server():
    s = RunningServer("--max-connections-per-user", "3", "--history", "5")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def audience_server():
    s = RunningServer("--audience", "stampede")
    yield s
    s.stop()
