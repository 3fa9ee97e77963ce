"""Microsoft Teams: the bot endpoint, interactive incident cards, 1:1 and channel messages."""
