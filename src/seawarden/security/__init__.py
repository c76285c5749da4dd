"""Who is acting: identity, roles, organisation scope; accounts, sessions and the audit trail."""
