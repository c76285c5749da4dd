"""The register of ships, crews and companies: identities, lifecycles, import and export."""
