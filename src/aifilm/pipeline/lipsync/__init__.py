"""Talking characters: mouths that move with the speech, blinking eyes."""
