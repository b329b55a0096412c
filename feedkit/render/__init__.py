"""The render stage: pure functions of values → bytes and messages.

Bodies (Markdown or HTML → sanitized HTML), feeds (RSS, Atom, JSON Feed) and the digest email.
Nothing here writes a file or keeps state between calls; the shipped templates live beside it.
"""
