"""The public site (规划实施情况公开): published plans' progress for everyone, without log-in.

:mod:`.site` renders the site as files from the published snapshots; :mod:`.routes` serves
them live under ``/public/`` with the opinion form; :mod:`.boundary` keeps sessions away from
those routes; ``planwatch publish`` writes the same files to a folder (:mod:`.static`).
"""
