"""Credentials, tokens, throttling: who may call, and how often."""

from ngsp_sim.security.secrets import generate_secret, hash_secret, verify_secret
from ngsp_sim.security.throttle import Throttler, Tier
from ngsp_sim.security.tokens import IssuedToken, TokenService

__all__ = ["IssuedToken", "Throttler", "Tier", "TokenService", "generate_secret", "hash_secret", "verify_secret"]
