"""Who may call which endpoint: dangerous goods (merged into ``policy.ROUTES``).

Enterprises (terminal operators) record their own facilities, yard slots, cargo, tank
readings, declarations, hidden dangers and hazard sources; supervisors decide on
declarations, issue licences, file sources, set port rules, run the berth watch and keep
enforcement records in their subtree; duty officers read. The administrator
roles and the public have no part here.
"""

from __future__ import annotations

from seawarden.security.actor import Role
from seawarden.web.roles import AUTHORITY_AND_ENTERPRISE, ENTERPRISE, SUPERVISOR, TERMINAL, WATCH

READ = AUTHORITY_AND_ENTERPRISE

ROUTES: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/api/dg/lookup/{un_number}"): READ,
    ("POST", "/api/dg/segregation"): READ,
    ("POST", "/api/dg/hazard"): READ,
    ("GET", "/api/dg/companies"): READ,
    ("POST", "/api/dg/companies"): TERMINAL,
    ("GET", "/api/dg/terminals"): READ,
    ("POST", "/api/dg/terminals"): TERMINAL,
    ("GET", "/api/dg/berths"): READ,
    ("POST", "/api/dg/berths"): TERMINAL,
    ("GET", "/api/dg/storage-units"): READ,
    ("POST", "/api/dg/storage-units"): TERMINAL,
    ("GET", "/api/dg/storage-units/{unit_id}"): READ,
    ("GET", "/api/dg/storage-units/{unit_id}/inventory"): READ,
    ("GET", "/api/dg/storage-units/{unit_id}/hazard"): READ,
    ("GET", "/api/dg/storage-units/{unit_id}/yard"): READ,
    ("POST", "/api/dg/storage-units/{unit_id}/yard/blocks"): TERMINAL,
    ("POST", "/api/dg/storage-units/{unit_id}/yard/containers"): TERMINAL,
    ("POST", "/api/dg/yard-containers/{container_id}/move"): TERMINAL,
    ("DELETE", "/api/dg/yard-containers/{container_id}"): TERMINAL,
    ("GET", "/api/dg/storage-units/{unit_id}/readings"): READ,
    ("POST", "/api/dg/sensor-readings"): TERMINAL,
    ("GET", "/api/dg/port-rules"): READ,
    ("PUT", "/api/dg/port-rules"): SUPERVISOR,
    ("POST", "/api/dg/observe"): SUPERVISOR,
    ("GET", "/api/dg/licences"): READ,
    ("POST", "/api/dg/licences"): SUPERVISOR,
    ("POST", "/api/dg/licences/{licence_id}/annexes"): SUPERVISOR,
    ("GET", "/api/dg/personnel"): READ,
    ("POST", "/api/dg/personnel"): TERMINAL,
    ("POST", "/api/dg/personnel/{person_id}/qualifications"): TERMINAL,
    ("GET", "/api/dg/cargo"): READ,
    ("POST", "/api/dg/cargo"): ENTERPRISE,
    ("GET", "/api/dg/declarations"): READ,
    ("POST", "/api/dg/declarations"): ENTERPRISE,
    ("GET", "/api/dg/declarations/{decl_id}"): READ,
    ("POST", "/api/dg/declarations/{decl_id}/approve"): SUPERVISOR,
    ("POST", "/api/dg/declarations/{decl_id}/reject"): SUPERVISOR,
    ("POST", "/api/dg/declarations/{decl_id}/withdraw"): ENTERPRISE,
    ("GET", "/api/dg/hidden-dangers"): READ,
    ("GET", "/api/dg/hidden-dangers/statistics"): READ,
    ("POST", "/api/dg/hidden-dangers"): TERMINAL,
    ("GET", "/api/dg/hidden-dangers/{hd_id}"): READ,
    ("GET", "/api/dg/hidden-dangers/{hd_id}/photos/{photo_id}"): READ,
    ("POST", "/api/dg/hidden-dangers/{hd_id}/assign"): TERMINAL,
    ("POST", "/api/dg/hidden-dangers/{hd_id}/rectify"): TERMINAL,
    ("POST", "/api/dg/hidden-dangers/{hd_id}/verify"): TERMINAL,
    ("POST", "/api/dg/hidden-dangers/{hd_id}/close"): TERMINAL,
    ("GET", "/api/dg/hazard-sources"): READ,
    ("POST", "/api/dg/hazard-sources"): TERMINAL,
    ("GET", "/api/dg/hazard-sources/{hs_id}"): READ,
    ("POST", "/api/dg/hazard-sources/{hs_id}/file"): SUPERVISOR,
    ("POST", "/api/dg/hazard-sources/{hs_id}/evaluate"): TERMINAL,
    ("POST", "/api/dg/hazard-sources/{hs_id}/deregister"): SUPERVISOR,
    ("GET", "/api/dg/alarms"): READ,
    ("POST", "/api/dg/alarms/{alarm_id}/clear"): TERMINAL,
    ("GET", "/api/dg/dashboard"): WATCH,
    ("GET", "/api/dg/map"): READ,
    ("GET", "/api/dg/enforcement"): WATCH,
    ("POST", "/api/dg/enforcement"): SUPERVISOR,
}
