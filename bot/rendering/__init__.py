"""Rendering what the core describes (bot.core.documents): charts with matplotlib, decks with genanki."""
