"""Collision risk: CPA/TCPA, ship domains, COLREGs encounter classes, pair search, alerts.

``cpa_tcpa(lat1, lon1, sog1, cog1, lat2, lon2, sog2, cog2) -> (dcpa_nm, tcpa_min)``.
"""

from seawarden.collision.cpa import cpa_tcpa, cpa_tcpa_arrays

__all__ = ["cpa_tcpa", "cpa_tcpa_arrays"]
