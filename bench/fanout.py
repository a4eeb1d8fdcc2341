"""How fast does one reply reach many open discussion pages? And what does an idle socket cost?

Starts the app in the production shape (gunicorn, one gevent worker per process, PostgreSQL,
Redis as the Socket.IO queue when there is more than one process), signs in users over HTTP,
opens N real Socket.IO clients (websocket transport) that follow one discussion, then posts
replies at a steady rate through the JSON API and measures, for every client and every reply:

  send→recv   from just before the HTTP POST was sent to the moment the client got the event
              (includes the whole request: markdown, database commit, the queue, the fan-out)
  at→recv     from the event's own `at` timestamp (taken when the action queued it, just before
              the commit) to the moment the client got it

All processes are on this machine, so one wall clock serves both ends. It also prints the server
worker's resident memory before and after the clients connected and followed, divided by N.

    .venv/bin/python bench/fanout.py --clients 100,500,1000 --rate 2 --seconds 20
    .venv/bin/python bench/fanout.py --clients 2000 --processes 2 --rate 2 --seconds 20

Each size gets a fresh database, fresh servers and fresh clients. The clients run in
--client-procs separate processes (asyncio socketio.AsyncClient, needs aiohttp) on the same
machine: compare their CPU time with the server's to see which side is the bottleneck.
Everything binds to 127.0.0.1 and the script stops by itself.
"""
import argparse
import asyncio
import json
import logging
import os
import queue
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import livekit as lk  # noqa: E402

DEFAULT_POSTGRES = "postgresql://leerkring:leerkring@127.0.0.1:5432/postgres"


# --- client worker (a separate process) ----------------------------------------------------------

async def _worker(config):
    import socketio

    records = []  # [client index, seq, reply id, received at (time.time()), event at (iso)]
    presence = [0]
    clients = []
    failures = {"connect": 0, "follow": 0, "disconnected": 0}
    drops = []  # [time.time(), reason]
    limit = asyncio.Semaphore(config["parallel"])
    why = {}  # what the Engine.IO client logged when it gave a connection up

    class Why(logging.Handler):
        def emit(self, record):
            message = record.getMessage()
            if "abort" in message and "packet queue is empty" not in message:
                key = message.split(":")[0][:80]
                why[key] = why.get(key, 0) + 1

    eio_log = logging.getLogger("fanout.engineio")
    eio_log.setLevel(logging.INFO)
    eio_log.propagate = False
    eio_log.addHandler(Why())

    async def open_one(position, index):
        if config["join_rate"]:  # spread the joins evenly over time instead of all at once
            await asyncio.sleep(position / config["join_rate"])
        url = config["urls"][index % len(config["urls"])]
        cookie = config["cookies"][index % len(config["cookies"])]
        client = socketio.AsyncClient(reconnection=False, engineio_logger=eio_log)

        def on_event(data, index=index):
            if data.get("type") == "reply" and data.get("op") == "new":
                records.append([index, data["seq"], data.get("reply_id"), time.time(), data.get("at")])

        def on_presence(data):
            presence[0] += 1

        def on_disconnect(reason=None):
            failures["disconnected"] += 1
            drops.append([time.time(), str(reason)])

        client.on("event", on_event)
        client.on("presence", on_presence)
        client.on("disconnect", on_disconnect)
        async with limit:
            try:
                await client.connect(url, headers=lk.cookie_header(cookie), transports=["websocket"],
                                     wait_timeout=60)
            except Exception:  # noqa: BLE001 - counted and reported
                failures["connect"] += 1
                return
            try:
                ack = await client.call("follow", {"kind": "discussion", "id": config["discussion"]}, timeout=120)
            except Exception:  # noqa: BLE001
                ack = None
            if not ack or not ack.get("ok"):
                failures["follow"] += 1
        clients.append(client)

    await asyncio.gather(*(open_one(position, index) for position, index in enumerate(config["indexes"])))
    ready_at = time.time()
    print("READY " + json.dumps({"connected": len(clients), **failures}), flush=True)
    loop = asyncio.get_running_loop()
    try:  # wait for the parent's STOP (a line on stdin), or give up by ourselves
        await asyncio.wait_for(loop.run_in_executor(None, sys.stdin.readline), timeout=config["max_seconds"])
    except asyncio.TimeoutError:
        pass
    usage = os.times()
    result = {"records": records, "presence": presence[0], "drops": drops, "why": why, "ready_at": ready_at,
              "cpu": usage.user + usage.system,
              "connected": len(clients), **failures}
    with open(config["out"], "w") as out:
        json.dump(result, out)
    print("DONE", flush=True)
    os._exit(0)  # no polite disconnects: the servers are stopped right after


def run_worker(argv):
    lk.raise_fd_limit()
    asyncio.run(_worker(json.loads(argv)))


# --- the run ------------------------------------------------------------------------------------

class Worker:
    def __init__(self, config):
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", json.dumps(config)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=lk.ROOT)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.out = config["out"]

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.strip())

    def expect(self, word, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line.startswith(word):
                return line[len(word):].strip()
        raise RuntimeError(f"client worker did not say {word} within {timeout} s")

    def stop(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("STOP\n")
                self.proc.stdin.flush()
            except BrokenPipeError:
                pass

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


def post_replies(base_url, token, discussion, rate, seconds, posted):
    """Post rate×seconds replies at a steady pace; posted[reply id] = (sent at, response seconds)."""
    import requests

    session = requests.Session()
    session.headers["Authorization"] = "Bearer " + token
    start = time.monotonic()
    late = 0
    for n in range(int(rate * seconds)):
        due = start + n / rate
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        else:
            late += 1
        body = f"Reactie {n} uit de meting: **lasnaden** en *spindels*, zie https://example.org/{n}."
        sent = time.time()
        response = session.post(f"{base_url}/api/v1/discussions/{discussion}/replies", json={"body": body},
                                timeout=30)
        took = time.time() - sent
        if response.status_code != 201:
            raise RuntimeError(f"post {n} failed: {response.status_code} {response.text[:300]}")
        posted[response.json()["id"]] = (sent, took)
    return late


def _iso_seconds(iso):
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()


def figures(values_ms):
    return (f"p50 {lk.percentile(values_ms, 50):7.1f} ms   p95 {lk.percentile(values_ms, 95):7.1f} ms   "
            f"max {max(values_ms) if values_ms else float('nan'):7.1f} ms")


def run_size(args, clients):
    lk.raise_fd_limit()
    redis = None
    servers, workers = [], []
    use_redis = args.redis or args.processes > 1
    try:
        if use_redis:
            redis = lk.RedisServer(args.redis_port).start() if not args.redis_url else None
        redis_url = args.redis_url or (redis.url if redis else "")
        database = lk.fresh_database(args.postgres, args.database)
        env = lk.app_env(database, redis_url)
        users = max(1, min(args.users, clients))
        state = lk.migrate_and_seed(env, users=users)
        servers = [lk.Server(env) for _ in range(args.processes)]
        for server in servers:
            server.wait_ready()
        cookies = [lk.login(servers[0].url, member["email"]) for member in state["members"]]
        # Warm the server up (first requests import and compile things), then take its memory.
        import requests

        for server in servers:
            for _ in range(3):
                requests.get(server.url + f"/api/v1/live/discussion/{state['discussion']}/events",
                             headers={"Authorization": "Bearer " + state["admin_token"]}, timeout=10)
        time.sleep(1)
        rss_before = [server.rss_kb() for server in servers]
        cpu_before = [lk.cpu_seconds(server.worker_pid()) for server in servers]

        procs = args.client_procs or max(1, min(4, -(-clients // 250)))
        started = time.monotonic()
        for w in range(procs):
            indexes = list(range(w, clients, procs))
            workers.append(Worker({
                "urls": [server.url for server in servers], "cookies": cookies, "discussion": state["discussion"],
                "indexes": indexes, "parallel": args.parallel,
                "join_rate": args.join_rate / procs, "max_seconds": args.seconds + 900,
                "out": f"/tmp/leerkring-fanout-{os.getpid()}-{w}.json"}))
        ready = [json.loads(worker.expect("READY", timeout=600)) for worker in workers]
        connect_seconds = time.monotonic() - started
        connected = sum(r["connected"] for r in ready)
        refused = sum(r["follow"] for r in ready)
        # The follow storm (a presence broadcast per join) must settle before idle memory counts.
        for server in servers:
            lk.wait_until_idle(server.worker_pid(), timeout=300)
        settle_seconds = time.monotonic() - started - connect_seconds
        rss_after = [server.rss_kb() for server in servers]
        cpu_setup = [lk.cpu_seconds(server.worker_pid()) - before for server, before in zip(servers, cpu_before)]

        posted = {}
        posting_started = time.time()
        cpu_before = [lk.cpu_seconds(server.worker_pid()) for server in servers]
        late = post_replies(servers[0].url, state["admin_token"], state["discussion"], args.rate, args.seconds,
                            posted)
        time.sleep(args.drain)
        cpu_run = [lk.cpu_seconds(server.worker_pid()) - before for server, before in zip(servers, cpu_before)]
        for worker in workers:
            worker.stop()
        for worker in workers:
            worker.expect("DONE", timeout=120)
        results = []
        for worker in workers:
            with open(worker.out) as out:
                results.append(json.load(out))
            os.unlink(worker.out)
    finally:
        for server in servers:
            server.stop()
        for worker in workers:
            worker.kill()
        if redis is not None:
            redis.kill()

    send_ms, at_ms, per_event = [], [], {}
    for result in results:
        for index, seq, reply_id, received, at in result["records"]:
            if reply_id not in posted:
                continue
            sent = posted[reply_id][0]
            send_ms.append((received - sent) * 1000)
            at_ms.append((received - _iso_seconds(at)) * 1000)
            first, last = per_event.get(reply_id, (received, received))
            per_event[reply_id] = (min(first, received), max(last, received))
    spread_ms = [(last - first) * 1000 for first, last in per_event.values()]
    first_ms = [(first - posted[reply_id][0]) * 1000 for reply_id, (first, _) in per_event.items()]
    expected = len(posted) * (connected - refused)
    post_ms = [took * 1000 for _, took in posted.values()]
    client_cpu = sum(result["cpu"] for result in results)
    presence = sum(result["presence"] for result in results)
    dropped = sum(result["disconnected"] for result in results)
    reasons = {}
    for result in results:
        for at, reason in result["drops"]:
            phase = "before the posting" if at < posting_started else "during the posting"
            reasons[f"{reason} ({phase})"] = reasons.get(f"{reason} ({phase})", 0) + 1
    rss_delta = sum(after - before for after, before in zip(rss_after, rss_before))
    print(f"\n== {clients} clients, {args.processes} server process(es), redis {'on' if use_redis else 'off'}, "
          f"{args.rate}/s for {args.seconds} s, {procs} client process(es), joins {args.join_rate or 'unpaced'}/s, "
          f"app from {lk.APP_ROOT} ==")
    print(f"connected {connected}/{clients}, follow refused {refused}, sockets dropped {dropped}; "
          f"connect+follow took {connect_seconds:.1f} s, then the server needed {settle_seconds:.1f} s more to go "
          f"idle ({presence} presence messages received by the clients)")
    why = {}
    for result in results:
        for key, count in result["why"].items():
            why[key] = why.get(key, 0) + count
    if why:
        print("client-side Engine.IO log on giving up:", ", ".join(f"{n}× {k!r}" for k, n in sorted(why.items())))
    if reasons:
        print("dropped sockets by reason:", ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items())))
    print(f"server RSS before {'+'.join(str(r // 1024) for r in rss_before)} MB, after "
          f"{'+'.join(str(r // 1024) for r in rss_after)} MB: {rss_delta / max(1, connected):.1f} KB per idle "
          f"connection (connected and following)"
          + ("  [not meaningful: sockets dropped before the measurement]" if any(
              "before the posting" in reason for reason in reasons) else ""))
    print(f"events received {len(send_ms)} of {expected} expected ({expected - len(send_ms)} missing); "
          f"replies posted {len(posted)}, {late} posts started late")
    print(f"  send→recv  {figures(send_ms)}")
    print(f"  at→recv    {figures(at_ms)}")
    print(f"  POST time  {figures(post_ms)}")
    print(f"  per reply: send→first client {figures(first_ms)}")
    print(f"  per reply: first→last client {figures(spread_ms)}  (the fan-out's spread)")
    print(f"CPU seconds: server setup {'+'.join(f'{c:.1f}' for c in cpu_setup)}, server during the posting "
          f"{'+'.join(f'{c:.1f}' for c in cpu_run)} (of {args.seconds + args.drain:.0f} s wall), "
          f"clients (all of it) {client_cpu:.1f}")
    return {"clients": clients, "send_p95": lk.percentile(send_ms, 95)}


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--worker":
        return run_worker(sys.argv[2])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="100", help="one size or a comma-separated list (e.g. 100,500,1000)")
    parser.add_argument("--rate", type=float, default=2.0, help="replies per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long to post")
    parser.add_argument("--processes", type=int, default=1, help="server processes (more than 1 uses Redis)")
    parser.add_argument("--redis", action="store_true", help="use Redis as the queue with one process too")
    parser.add_argument("--redis-url", default="", help="an existing Redis (default: start redis-server "
                        "on --redis-port, so no one else's pub/sub is mixed in)")
    parser.add_argument("--redis-port", type=int, default=6391)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
                        help="a PostgreSQL server URL whose role may create databases")
    parser.add_argument("--database", default="leerkring_bench", help="dropped and recreated for each size")
    parser.add_argument("--users", type=int, default=10, help="signed-in users; clients share their sessions")
    parser.add_argument("--client-procs", type=int, default=0, help="client processes (default: 1 per 250 "
                        "clients, at most 4)")
    parser.add_argument("--parallel", type=int, default=25, help="connects in flight per client process")
    parser.add_argument("--join-rate", type=float, default=0, help="clients joining per second, all client "
                        "processes together (default: as fast as --parallel allows)")
    parser.add_argument("--drain", type=float, default=3.0, help="seconds to wait for the last events")
    parser.add_argument("--app-root", default="", help="run the servers from another tree (a patched copy "
                        "of this repository, to compare a change); default: this repository")
    args = parser.parse_args()
    if args.app_root:
        os.environ["BENCH_APP_ROOT"] = lk.APP_ROOT = os.path.abspath(args.app_root)
    for size in [int(part) for part in args.clients.split(",") if part.strip()]:
        run_size(args, size)


if __name__ == "__main__":
    main()
