"""The consent registry: specific, withdrawable consent per pupil, purpose and recipient.

`state.consent_state` is what the transfer machinery asks on every consent-based act;
`gezag` records who may consent for a pupil; `receipts` signs what was agreed.
"""
