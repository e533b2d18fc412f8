"""A small Python client for the gateway: tokens by `private_key_jwt`, pushing JSON and
OSO dossiers, the inbox, notifications, webhooks and consent receipts.

It speaks only the public HTTP contract (httpx2 and joserfc); nothing of the gateway's
own code is imported, so a school or care system can vendor this package alone.
"""

from connectors.sdk.client import GatewayClient, GatewayError, TokenSource
from connectors.sdk.webhooks import (
    InvalidWebhook,
    MemorySeen,
    Notification,
    SeenKeys,
    WebhookReceiver,
)

__all__ = [
    "GatewayClient",
    "GatewayError",
    "InvalidWebhook",
    "MemorySeen",
    "Notification",
    "SeenKeys",
    "TokenSource",
    "WebhookReceiver",
]
