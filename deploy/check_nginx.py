"""Check deploy/nginx.conf for real, on loopback: two app processes (gunicorn, one gevent worker
each, PostgreSQL, a private Redis as the Socket.IO queue) behind nginx, and real Socket.IO
clients that only talk to nginx.

It takes the proxy part of deploy/nginx.conf (between the BEGIN/END markers) as it is, points the
upstream at the two app ports and serves it on a plain-HTTP loopback port (no certificate), then:

  1. signs in through nginx and opens a websocket through nginx, follows a discussion;
  2. opens a long-polling client through nginx (needs the sticky sessions: every poll must
     reach the process that holds the session);
  3. posts a reply through nginx; both clients must receive it;
  4. a websocket with the site's own Origin is accepted, one from another origin refused.

    .venv/bin/python deploy/check_nginx.py [--nginx /usr/sbin/nginx]

Stops by itself; everything binds to 127.0.0.1.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import livekit as lk  # noqa: E402

DEFAULT_POSTGRES = "postgresql://leerkring:leerkring@127.0.0.1:5432/postgres"


def block(text, name):
    match = re.search(rf"# --- BEGIN {name} ---\n(.*?)# --- END {name} ---", text, re.S)
    if not match:
        raise SystemExit(f"deploy/nginx.conf has no BEGIN/END {name} markers")
    return match.group(1)


def loopback_config(workdir, listen_port, app_ports):
    text = open(os.path.join(ROOT, "deploy", "nginx.conf")).read()
    proxy = block(text, "proxy")
    servers = "".join(f"    server 127.0.0.1:{port};\n" for port in app_ports)
    proxy = re.sub(r"(    server 127\.0\.0\.1:\d+;\n)+", servers, proxy)
    locations = block(text, "locations").replace("/srv/leerkring/static/", os.path.join(ROOT, "static") + "/")
    return f"""
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log info;
events {{ worker_connections 1024; }}
http {{
    log_format upstream '$request_uri -> $upstream_addr $status';
    access_log {workdir}/access.log upstream;
    client_body_temp_path {workdir}/body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
{proxy}
    server {{
        listen 127.0.0.1:{listen_port};
        server_name localhost;
{locations}
    }}
}}
"""


def main():
    import socketio

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    parser.add_argument("--redis-port", type=int, default=6392)
    args = parser.parse_args()
    if not os.path.exists(args.nginx):
        raise SystemExit(f"nginx not found at {args.nginx} (apt-get install nginx-light)")

    workdir = tempfile.mkdtemp(prefix="leerkring-nginx-")
    redis = lk.RedisServer(args.redis_port).start()
    servers, nginx, clients = [], None, []
    failures = []
    try:
        env = lk.app_env(lk.fresh_database(args.postgres, "leerkring_bench_nginx"), redis.url)
        state = lk.migrate_and_seed(env, users=2)
        servers = [lk.Server(env) for _ in range(2)]
        for server in servers:
            server.wait_ready()
        port = lk.free_port()
        with open(os.path.join(workdir, "nginx.conf"), "w") as conf:
            conf.write(loopback_config(workdir, port, [server.port for server in servers]))
        subprocess.run([args.nginx, "-t", "-p", workdir, "-c", os.path.join(workdir, "nginx.conf")], check=True,
                       capture_output=True)
        nginx = subprocess.Popen([args.nginx, "-p", workdir, "-c", os.path.join(workdir, "nginx.conf"),
                                  "-g", "daemon off;"], start_new_session=True)
        site = f"http://127.0.0.1:{port}"
        lk.wait_http(site + "/login", nginx, f"nginx (see {workdir}/error.log)")
        cookie = lk.login(site, state["members"][0]["email"])

        received = {"websocket": threading.Event(), "polling": threading.Event()}
        for transport in ("websocket", "polling"):
            client = socketio.Client(reconnection=False)
            client.on("event", lambda data, t=transport: data.get("type") == "reply" and received[t].set())
            client.connect(site, headers=lk.cookie_header(cookie), transports=[transport], wait_timeout=10)
            answer = client.call("follow", {"kind": "discussion", "id": state["discussion"]}, timeout=10)
            print(f"{transport:9} through nginx: connected as {client.transport()}, follow → {answer}")
            if not answer.get("ok"):
                failures.append(f"{transport}: follow refused")
            clients.append(client)

        import requests

        response = requests.post(f"{site}/api/v1/discussions/{state['discussion']}/replies",
                                 json={"body": "Via nginx gepost."}, timeout=10,
                                 headers={"Authorization": "Bearer " + state["admin_token"]})
        print(f"reply posted through nginx: {response.status_code}")
        for transport, event in received.items():
            ok = event.wait(10)
            print(f"{transport:9} client received the reply event: {ok}")
            if not ok:
                failures.append(f"{transport}: no event")
            event.clear()

        # ip_hash sends every loopback client to the same process (127.0.0.x hash alike), so post
        # once more straight to the other process: the event must cross over Redis to the
        # clients that nginx placed.
        log = open(os.path.join(workdir, "access.log")).read()
        used = set(re.findall(r"^/socket\.io/\S* -> 127\.0\.0\.1:(\d+)", log, re.M))
        print(f"nginx placed the Socket.IO requests on app port(s) {sorted(used)}")
        other = [server for server in servers if str(server.port) not in used]
        if other:
            response = requests.post(f"{other[0].url}/api/v1/discussions/{state['discussion']}/replies",
                                     json={"body": "Rechtstreeks op het andere proces."}, timeout=10,
                                     headers={"Authorization": "Bearer " + state["admin_token"]})
            for transport, event in received.items():
                ok = event.wait(10)
                print(f"{transport:9} client received a reply posted on the other process ({other[0].port}): {ok}")
                if not ok:
                    failures.append(f"{transport}: no event from the other process")

        # The Origin a browser sends, at the Engine.IO level (the Socket.IO client always adds
        # its own Origin header, so set it through websocket-client's `origin` option).
        import websocket

        for origin, expect in ((site, True), ("http://evil.example", False)):
            try:
                probe = websocket.create_connection(f"ws://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket",
                                                    origin=origin, header=[f"Cookie: leerkring_session={cookie}"],
                                                    timeout=10)
                accepted = probe.recv().startswith("0")  # the Engine.IO "open" packet
                probe.close()
            except websocket.WebSocketBadStatusException:
                accepted = False
            print(f"websocket with Origin {origin}: {'accepted' if accepted else 'refused'}")
            if accepted != expect:
                failures.append(f"Origin {origin}: expected {'accepted' if expect else 'refused'}")

    finally:
        for client in clients:
            if client.connected:
                client.disconnect()
        if nginx is not None and nginx.poll() is None:
            nginx.terminate()
            nginx.wait(timeout=10)
        for server in servers:
            server.stop()
        redis.kill()
    if not failures:
        shutil.rmtree(workdir, ignore_errors=True)
    print("OK: deploy/nginx.conf works on loopback" if not failures else f"FAILED: {failures} (see {workdir})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
