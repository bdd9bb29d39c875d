"""The only writers of surveys, questions, service points and responses."""
