"""A minimal implementation of Stampede's workflow-updates contract
(../../docs: PROTOCOL.md) on python-socketio, used to check that Stampede's
conformance tools judge a server nobody here wrote. See ../DIVERGENCES.md.

    python interop/server/server.py --port 0 --jwt-secret S
"""
import argparse
import asyncio
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from aiohttp import web  # noqa: E402

import http_api  # noqa: E402
import sockets  # noqa: E402
from auth import TokenVerifier  # noqa: E402
from stats import Stats  # noqa: E402
from workflows import WorkflowStore  # noqa: E402


def env(name, default):
    return os.environ.get("STAMPEDE_" + name, default)


def parse_args(argv):
    p = argparse.ArgumentParser(description="Stampede contract on python-socketio (interop reference)")
    p.add_argument("--host", default=env("HOST", "127.0.0.1"), help="env STAMPEDE_HOST")
    p.add_argument("--port", type=int, default=int(env("PORT", 8080)), help="0 picks a free port; env STAMPEDE_PORT")
    p.add_argument("--jwt-secret", default=env("JWT_SECRET", None), help="env STAMPEDE_JWT_SECRET")
    p.add_argument("--jwks", default=env("JWKS", None), help="JWKS file with RS256/ES256 keys; env STAMPEDE_JWKS")
    p.add_argument("--audience", default=env("AUDIENCE", None), help="env STAMPEDE_AUDIENCE")
    p.add_argument("--leeway", type=float, default=float(env("LEEWAY", 5)), help="seconds; env STAMPEDE_LEEWAY")
    p.add_argument("--ping-interval", type=int, default=int(env("PING_INTERVAL", 25000)), help="ms")
    p.add_argument("--ping-timeout", type=int, default=int(env("PING_TIMEOUT", 20000)), help="ms")
    p.add_argument("--max-payload", type=int, default=int(env("MAX_PAYLOAD", 1000000)), help="bytes")
    p.add_argument("--step-delay", dest="step_delay_ms", type=int, default=int(env("STEP_DELAY", 200)), help="ms")
    p.add_argument("--max-connections-per-user", type=int, default=int(env("MAX_CONNECTIONS_PER_USER", 20)))
    p.add_argument("--max-subscriptions", type=int, default=int(env("MAX_SUBSCRIPTIONS", 100)))
    p.add_argument("--history", type=int, default=int(env("HISTORY", 1000)))
    p.add_argument("--terminal-retention", type=float, default=float(env("TERMINAL_RETENTION", 600)), help="seconds")
    p.add_argument("--event-rate", type=float, default=float(env("EVENT_RATE", 10)), help="socket events/s")
    p.add_argument("--event-burst", type=float, default=float(env("EVENT_BURST", 20)))
    p.add_argument("--create-rate", type=float, default=float(env("CREATE_RATE", 5)), help="workflows/s per user")
    p.add_argument("--create-burst", type=float, default=float(env("CREATE_BURST", 10)))
    p.add_argument("--protect-stats", action="store_true", default=env("PROTECT_STATS", "") == "1",
                   help="stats need an admin token")
    args = p.parse_args(argv)
    if not args.jwt_secret:
        args.jwt_secret = "dev-secret"
        print("warning: using the default JWT secret 'dev-secret' - for local use only", file=sys.stderr)
    return args


async def serve(config):
    verifier = TokenVerifier(config.jwt_secret, config.jwks, config.audience, config.leeway)
    sio = sockets.ContractServer(async_mode="aiohttp", namespaces="*", cors_allowed_origins="*",
                                 ping_interval=config.ping_interval / 1000, ping_timeout=config.ping_timeout / 1000,
                                 max_http_buffer_size=config.max_payload)
    stats = Stats()
    store = WorkflowStore(sio, stats, config.history, config.terminal_retention)
    app = web.Application(client_max_size=config.max_payload, middlewares=[http_api.json_errors])
    sio.attach(app)
    sessions = sockets.install(sio, store, stats, verifier, config)
    http_api.install(app, sio, store, stats, verifier, sessions, config)

    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, config.host, config.port)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    print(f"listening on http://{config.host}:{port}", flush=True)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    # Graceful: every Engine.IO session gets a close packet, then the listener
    # goes; bounded so the process is gone within 5 s whatever a client does.
    async def shutdown():
        if sio.eio.sockets:
            await sio.eio.disconnect()
        await sio.shutdown()
        await runner.cleanup()

    try:
        await asyncio.wait_for(shutdown(), timeout=4.5)
    except asyncio.TimeoutError:
        print("warning: shutdown did not finish within 4.5 s", file=sys.stderr)

def main(argv=None):
    asyncio.run(serve(parse_args(argv if argv is not None else sys.argv[1:])))


if __name__ == "__main__":
    main()
