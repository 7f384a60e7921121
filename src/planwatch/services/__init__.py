"""The services: every use case of the CLI, the web app and the API, with permissions.

Each function takes a SQLAlchemy session and (where it acts for someone) the acting user,
checks the user's permission first (:func:`planwatch.monitor.permissions.check`) and
flushes but does not commit: the caller owns the transaction, so a failure leaves nothing
half-stored.
"""
