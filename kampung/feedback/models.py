"""The survey, its questions and the answers."""
