"""The demo data of `flask seed-demo`, built through the real actions and idempotent: demo.py
(people, organisations, communities, cases and discussions), content.py (their texts),
trajectories.py and scan.py."""
from community.seed.demo import seed_demo

__all__ = ["seed_demo"]
