"""With REDIS_URL set, rate-limit counters live in Redis, so every app process shares them."""
import os

import pytest

from community import create_app
from community.realtime import sockets
from community.extensions import db, limiter
from config import TestingConfig
from tests.helpers import TestClient

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_url(app):
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set")
    yield url
    # Give the shared extension objects back to the suite's app (memory storage, no queue).
    limiter.init_app(app)
    sockets.init_app(app)


def test_login_limit_counts_in_redis(redis_url, factories):
    import redis

    server = redis.Redis.from_url(redis_url)
    server.flushdb()

    class RedisConfig(TestingConfig):
        REDIS_URL = redis_url
        RATELIMIT_STORAGE_URI = None  # taken from REDIS_URL by create_app
        LOGIN_LIMIT_PER_ACCOUNT = "2 per 10 minutes"

    redis_app = create_app(RedisConfig)
    try:
        assert redis_app.config["RATELIMIT_STORAGE_URI"] == redis_url
        redis_app.test_client_class = TestClient
        user = factories.user()
        statuses = [redis_app.test_client().submit("/login", {"email": user.email, "password": "wrong guess!"},
                                                   page="/login").status_code for _ in range(3)]
        assert statuses == [400, 400, 429]
        assert any(b"login:" in key for key in server.keys("*")), "the counter is not stored in Redis"
    finally:
        server.flushdb()
        server.close()
        with redis_app.app_context():
            db.engine.dispose()
