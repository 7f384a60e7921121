"""Monitoring: the observation workflow and who may act on it.

Pure rules live here (:mod:`~planwatch.monitor.workflow`, :mod:`~planwatch.monitor.permissions`);
the services in :mod:`planwatch.services` apply them to the database.
"""
