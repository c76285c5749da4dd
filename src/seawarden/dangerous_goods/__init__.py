"""Dangerous goods: reference data, segregation and major-hazard checks, records, approvals.

Pure checks (:mod:`.segregation`, :mod:`.bayplan`, :mod:`.yard`, :mod:`.hazard`, :mod:`.permits`,
:mod:`.sensors`) take plain records and return :class:`~.findings.Finding` objects; the service
modules (:mod:`.facilities`, :mod:`.cargo`, :mod:`.declarations`, :mod:`.hidden_dangers`,
:mod:`.hazard_sources`, :mod:`.alarms`, :mod:`.dashboard`) are the only ones that touch the
database, always with an :class:`~seawarden.security.actor.Actor`.
"""
