"""Does a Redis crash lose live events? Kill Redis in the middle of a steady stream of replies,
start it again, and count what the clients missed live and what is still missing after they
caught up over HTTP the way the browser does (static/js/live.js).

Starts a private redis-server on --redis-port (never the shared one), a fresh PostgreSQL
database, and --processes app processes (gunicorn, one gevent worker each) that use that Redis as
their Socket.IO queue. --clients real Socket.IO clients (asyncio, websocket transport, with
automatic reconnection like the browser's) follow one discussion, spread over the processes.
Replies are posted through the JSON API at --rate per second for --seconds, alternating between
the processes. At --kill-at seconds Redis is killed (SIGKILL); --down seconds later it is started
again, empty (no persistence), on the same port.

Each client behaves like live.js: events are applied strictly in seq order; a hole in the numbers,
or a (re)connect whose follow answer says the stream is further along, triggers
GET /api/v1/live/discussion/<id>/events?after=<last applied>. At the end every client catches up
once more (a page whose stream went quiet would do that at its next event or reconnect), and the
script reports, per client and in total:

  live-missed          events that never arrived over the socket
  missed after catch-up events missing even after the HTTP catch-up (target: 0)

    .venv/bin/python bench/redis_restart.py [--clients 20] [--rate 5] [--seconds 30] \
        [--kill-at 10] [--down 5] [--processes 2]

Everything binds to 127.0.0.1 and the script stops by itself.
"""
import argparse
import asyncio
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import livekit as lk  # noqa: E402

DEFAULT_POSTGRES = "postgresql://leerkring:leerkring@127.0.0.1:5432/postgres"


class BrowserLikeClient:
    """One open discussion page: a socket plus live.js's ordering and catch-up rules."""

    def __init__(self, index, url, cookie, discussion, http):
        import socketio

        self.index, self.url, self.cookie, self.discussion, self.http = index, url, cookie, discussion, http
        self.last = 0  # the last seq applied, in order
        self.live = set()  # seqs that arrived over the socket
        self.caught_up = set()  # seqs applied from the HTTP catch-up
        self.buffer = []
        self.busy = False
        self.reconnects = -1  # the first connect is not a reconnect
        self.catch_ups = 0
        self.errors = 0
        self.sio = socketio.AsyncClient(reconnection=True, reconnection_delay=1, reconnection_delay_max=5)
        self.sio.on("connect", self.on_connect)
        self.sio.on("event", self.on_event)

    async def start(self):
        await self.sio.connect(self.url, headers=lk.cookie_header(self.cookie), transports=["websocket"],
                               wait_timeout=30)

    async def on_connect(self):
        self.reconnects += 1
        asyncio.get_running_loop().create_task(self.subscribe())

    async def subscribe(self):
        try:
            answer = await self.sio.call("follow", {"kind": "discussion", "id": self.discussion}, timeout=20)
        except Exception:  # noqa: BLE001 - the next reconnect tries again
            self.errors += 1
            return
        if answer and answer.get("ok") and answer["last"] > self.last:
            await self.catch_up()

    async def on_event(self, message):
        if message.get("stream") != f"discussion:{self.discussion}" or not isinstance(message.get("seq"), int):
            return
        self.live.add(message["seq"])
        if message["seq"] <= self.last:
            return
        if self.busy or message["seq"] != self.last + 1:
            self.buffer.append(message["seq"])
            if not self.busy:
                await self.catch_up()
            return
        self.last = message["seq"]

    async def catch_up(self):
        if self.busy:
            return
        self.busy = True
        try:
            while True:
                self.catch_ups += 1
                async with self.http.get(f"{self.url}/api/v1/live/discussion/{self.discussion}/events",
                                         params={"after": self.last},
                                         headers=lk.cookie_header(self.cookie)) as response:
                    if response.status != 200:
                        raise RuntimeError(f"catch-up answered {response.status}")
                    data = await response.json()
                assert not data["gap"], "events were pruned: the page would reload"
                for message in data["events"]:
                    if message["seq"] == self.last + 1:
                        self.last = message["seq"]
                        if message["seq"] not in self.live:
                            self.caught_up.add(message["seq"])
                if not data["more"]:
                    break
        except Exception:  # noqa: BLE001 - live.js retries after 3 s
            self.errors += 1
            self.busy = False
            await asyncio.sleep(3)
            return await self.catch_up()
        self.busy = False
        self.buffer = [seq for seq in self.buffer if seq > self.last]
        if self.buffer:  # a hole after what we fetched: fetch again
            await self.catch_up()


async def post_steadily(http, urls, token, discussion, rate, seconds, log):
    start = time.monotonic()
    for n in range(int(rate * seconds)):
        wait = start + n / rate - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        url = urls[n % len(urls)]
        sent = time.monotonic() - start
        try:
            async with http.post(f"{url}/api/v1/discussions/{discussion}/replies",
                                 json={"body": f"Reactie {n} tijdens de Redis-proef."},
                                 headers={"Authorization": "Bearer " + token}) as response:
                log.append((sent, response.status, time.monotonic() - start - sent))
        except Exception as error:  # noqa: BLE001 - counted
            log.append((sent, type(error).__name__, time.monotonic() - start - sent))


async def chaos(redis, kill_at, down, timeline, start):
    await asyncio.sleep(kill_at)
    redis.kill()
    timeline.append(("redis killed", time.monotonic() - start))
    await asyncio.sleep(down)
    await asyncio.get_running_loop().run_in_executor(None, redis.start)
    timeline.append(("redis started again", time.monotonic() - start))


async def run(args, servers, state, redis):
    import aiohttp

    cookies = [lk.login(servers[0].url, member["email"]) for member in state["members"]]
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        clients = [BrowserLikeClient(i, servers[i % len(servers)].url, cookies[i % len(cookies)], state["discussion"],
                                     http) for i in range(args.clients)]
        await asyncio.gather(*(client.start() for client in clients))
        await asyncio.sleep(1)  # the follow answers
        posts, timeline = [], []
        start = time.monotonic()
        await asyncio.gather(
            post_steadily(http, [s.url for s in servers], state["admin_token"], state["discussion"], args.rate,
                          args.seconds, posts),
            chaos(redis, args.kill_at, args.down, timeline, start))
        await asyncio.sleep(args.drain)
        live_only = {client.index: set(client.live) for client in clients}
        # What live.js alone would have applied by now: it catches up only when a later event
        # shows a hole or the socket reconnects, so a quiet stream after an outage stays behind.
        stale = {client.index: client.last for client in clients}
        for client in clients:  # the final catch-up: what a page does at its next event or reconnect
            while client.busy:
                await asyncio.sleep(0.1)
            await client.catch_up()
        async with http.get(f"{servers[0].url}/api/v1/live/discussion/{state['discussion']}/events",
                            params={"after": 0, "limit": 1},
                            headers={"Authorization": "Bearer " + state["admin_token"]}) as response:
            last = (await response.json())["last"]
        for client in clients:
            await client.sio.disconnect()
    return clients, live_only, stale, posts, timeline, last


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--rate", type=float, default=5.0, help="replies per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to post")
    parser.add_argument("--kill-at", type=float, default=10.0, help="seconds into the posting")
    parser.add_argument("--down", type=float, default=5.0, help="seconds Redis stays away")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--redis-port", type=int, default=6390)
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument("--drain", type=float, default=5.0, help="seconds to wait after the last post")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES))
    parser.add_argument("--database", default="leerkring_bench_redis")
    args = parser.parse_args()
    lk.raise_fd_limit()
    redis = lk.RedisServer(args.redis_port).start()
    servers = []
    try:
        env = lk.app_env(lk.fresh_database(args.postgres, args.database), redis.url)
        state = lk.migrate_and_seed(env, users=args.users)
        servers = [lk.Server(env) for _ in range(args.processes)]
        for server in servers:
            server.wait_ready()
        clients, live_only, stale, posts, timeline, last = asyncio.run(
            asyncio.wait_for(run(args, servers, state, redis), timeout=args.seconds + args.drain + 300))
    finally:
        for server in servers:
            server.stop()
        redis.kill()

    expected = set(range(1, last + 1))  # the replies (the new discussion's event went to its community)
    failed = [p for p in posts if p[1] != 201]
    print(f"\n== {args.clients} clients on {args.processes} process(es), {args.rate}/s for {args.seconds} s, "
          f"Redis killed at {args.kill_at} s for {args.down} s ==")
    print("timeline: " + ", ".join(f"{what} at {at:.1f} s" for what, at in timeline))
    print(f"posts: {len(posts)} sent, {len(posts) - len(failed)} answered 201, failed: "
          + (", ".join(f"{sent:.1f}s→{status}" for sent, status, _ in failed) or "none"))
    slow = sorted(posts, key=lambda p: -p[2])[:3]
    print("slowest posts: " + ", ".join(f"{took * 1000:.0f} ms (sent at {sent:.1f} s)" for sent, _, took in slow))
    print(f"stream numbers 1..{last}: {len(expected)} reply events in the log")
    total_live, total_after, total_stale = 0, 0, 0
    for client in clients:
        live_missed = expected - live_only[client.index]
        # Events are applied strictly in order, so everything up to `last` was applied (live or
        # from the catch-up) and everything after it is missing.
        after = {seq for seq in expected if seq > client.last}
        total_live += len(live_missed)
        total_stale += last - stale[client.index]
        total_after += len(after)
        if client.index < 5 or after:
            print(f"  client {client.index:3} on {servers[client.index % len(servers)].port}: live-missed "
                  f"{len(live_missed):3} (seq {min(live_missed) if live_missed else '-'}–"
                  f"{max(live_missed) if live_missed else '-'}), behind before the final catch-up "
                  f"{last - stale[client.index]}, missed after catch-up {len(after)}, "
                  f"reconnects {client.reconnects}, catch-up requests {client.catch_ups}, errors {client.errors}")
    print(f"TOTAL over {len(clients)} clients: live-missed {total_live} "
          f"({total_live / max(1, len(clients)):.1f} per client), still behind when the posting stopped (no later "
          f"event, no reconnect) {total_stale}, missed after the final catch-up {total_after}")
    sample = sorted(expected - live_only[0])
    print(f"client 0 missed live: {sample}")


if __name__ == "__main__":
    main()
