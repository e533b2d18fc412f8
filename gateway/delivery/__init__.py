"""Delivery: the transactional outbox, webhooks and the worker that posts them."""
