"""Discord adapter: discord.py slash commands, buttons and a modal in front of the core."""
