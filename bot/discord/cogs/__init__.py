"""Cogs of the Discord bot: chat, lookup, moderation, feedback."""
