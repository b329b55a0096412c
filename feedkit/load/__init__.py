"""The load stage: content files → validated ``Article`` values and ``Problem``s.

Discovers the article files, decodes them, splits their front matter and resolves each field
through the alias table. Never renders a body, never reads the clock, never prints.
"""
