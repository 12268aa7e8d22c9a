"""A local fake of Discord's REST API and gateway, for end-to-end tests of the real client."""

from tests.fake_discord.server import Captured, FakeDiscord, serve_in_thread

__all__ = ["Captured", "FakeDiscord", "serve_in_thread"]
