"""Who may call which endpoint: the register, risk, credit and public service routes.

Supervisors change the register, the risk register and the credit ledger and decide identity
conflicts and appeals, within their subtree; duty officers read; an enterprise account reads
the records of its own organisation (its company, ships and seafarers, personal data
masked) and may appeal against a credit record of its own. The administrator roles get none
of these: the system administrator keeps organisations and accounts, not business data, so
the reference data of the register (flag and RO performance lists, credit rule-set
versions) is loaded by a supervisor whose scope is the whole platform (no organisation); a
supervisor of one organisation is refused (403) there. The public service
(``/api/public/...``) is open to every logged-in account (the ``public`` role included):
it publishes only the columns labelled public, with personal data masked, paged and limited
per address. Like every route but health and login, it needs a session.
"""

from __future__ import annotations

from seawarden.security.actor import Role
from seawarden.web.roles import ANY, APPELLANTS, READ_REGISTER, SUPERVISOR, WATCH

ROUTES: dict[tuple[str, str], frozenset[Role]] = {
    # the register
    ("GET", "/api/registry/ships"): READ_REGISTER,
    ("POST", "/api/registry/ships"): SUPERVISOR,
    ("GET", "/api/registry/ships/{ref}"): READ_REGISTER,
    ("PATCH", "/api/registry/ships/{ref}"): SUPERVISOR,
    ("POST", "/api/registry/ships/{ref}/events"): SUPERVISOR,
    ("POST", "/api/registry/ships/{ref}/certificates"): SUPERVISOR,
    ("GET", "/api/registry/certificates/expiring"): READ_REGISTER,
    ("GET", "/api/registry/identity-at"): WATCH,
    ("GET", "/api/registry/crews"): READ_REGISTER,
    ("POST", "/api/registry/crews"): SUPERVISOR,
    ("GET", "/api/registry/crews/{ref}"): READ_REGISTER,
    ("POST", "/api/registry/crews/{ref}/points"): SUPERVISOR,
    ("POST", "/api/registry/crews/{ref}/certificates"): SUPERVISOR,
    ("POST", "/api/registry/crews/{ref}/certificates/{certificate_id}/renew"): SUPERVISOR,
    ("POST", "/api/registry/crews/{ref}/certificates/return"): SUPERVISOR,
    ("POST", "/api/registry/crews/{ref}/certificates/withhold"): SUPERVISOR,
    ("POST", "/api/registry/crews/{ref}/training"): SUPERVISOR,
    ("POST", "/api/registry/crews/{ref}/exams"): SUPERVISOR,
    ("POST", "/api/registry/crews/{ref}/service"): SUPERVISOR,
    ("GET", "/api/registry/companies"): READ_REGISTER,
    ("POST", "/api/registry/companies"): SUPERVISOR,
    ("GET", "/api/registry/companies/{ref}"): READ_REGISTER,
    ("PATCH", "/api/registry/companies/{ref}"): SUPERVISOR,
    ("POST", "/api/registry/companies/{ref}/permits"): SUPERVISOR,
    ("POST", "/api/registry/companies/{ref}/permits/{permit_id}/revoke"): SUPERVISOR,
    ("GET", "/api/registry/licences"): READ_REGISTER,
    ("POST", "/api/registry/ships/{ref}/licences"): SUPERVISOR,
    ("PATCH", "/api/registry/licences/{licence_id}"): SUPERVISOR,
    ("POST", "/api/registry/ships/{ref}/quotas"): SUPERVISOR,
    ("PATCH", "/api/registry/quotas/{quota_id}"): SUPERVISOR,
    ("POST", "/api/registry/quotas/{quota_id}/catches"): SUPERVISOR,
    ("GET", "/api/registry/conflicts"): WATCH,
    ("POST", "/api/registry/conflicts/{decision_id}/decide"): SUPERVISOR,
    ("POST", "/api/registry/identity/resolve"): SUPERVISOR,
    ("POST", "/api/registry/import/{kind}"): SUPERVISOR,
    ("GET", "/api/registry/imports"): WATCH,
    ("GET", "/api/registry/export/{list_name}"): READ_REGISTER,
    # risk profiles and the risk register
    ("GET", "/api/risk/ships/{ref}/profile"): READ_REGISTER,
    ("GET", "/api/risk/due"): WATCH,
    ("GET", "/api/risk/lists/{kind}"): WATCH,
    ("POST", "/api/risk/lists/{kind}"): SUPERVISOR,
    ("GET", "/api/risk/points"): WATCH,
    ("POST", "/api/risk/points"): SUPERVISOR,
    ("GET", "/api/risk/points/{point_id}/reviews"): WATCH,
    ("POST", "/api/risk/points/{point_id}/reviews"): SUPERVISOR,
    # credit
    ("GET", "/api/credit/scores"): READ_REGISTER,
    ("GET", "/api/credit/subjects/{ref}"): READ_REGISTER,
    ("POST", "/api/credit/subjects/{ref}/score"): SUPERVISOR,
    ("GET", "/api/credit/scores/{score_id}/recompute"): WATCH,
    ("POST", "/api/credit/events"): SUPERVISOR,
    ("POST", "/api/credit/events/{event_id}/appeal"): APPELLANTS,
    ("POST", "/api/credit/events/{event_id}/repair"): SUPERVISOR,
    ("GET", "/api/credit/appeals"): READ_REGISTER,
    ("POST", "/api/credit/appeals/{appeal_id}/decide"): SUPERVISOR,
    ("GET", "/api/credit/rulesets"): WATCH,
    ("POST", "/api/credit/rulesets"): SUPERVISOR,
    ("GET", "/api/credit/rulesets/{version}"): WATCH,
    ("POST", "/api/credit/rulesets/{version}/activate"): SUPERVISOR,
    # public service: any logged-in account, public fields only
    ("GET", "/api/public/inspections"): ANY,
    ("GET", "/api/public/detentions"): ANY,
    ("GET", "/api/public/penalties"): ANY,
    ("GET", "/api/public/company-grades"): ANY,
    ("GET", "/api/public/opendata/{dataset}"): ANY,
}
