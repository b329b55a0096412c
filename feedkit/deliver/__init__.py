"""The deliver stage: the only writers. Atomic output files, the digest ledger, SMTP.

Decides nothing about what to publish or send, and renders nothing.
"""
