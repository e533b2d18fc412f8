"""Transfers: warme overdracht dossiers and other school-to-party deliveries."""
