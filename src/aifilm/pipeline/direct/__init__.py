"""The director: from a shot's words to what its picture should show."""
