"""Plumbing shared by Antre's services: the hall file, the event envelope, the outbox and its
relay, JetStream consumers, database engines, telemetry and the common web endpoints.

Domain rules never live here; each service owns its own under ``services/<name>/domain``.
"""
