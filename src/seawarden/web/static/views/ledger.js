// The ledger pages: registered with registerView() from ../core.js.
